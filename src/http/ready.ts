// GET /readyz: whether this instance should be sent traffic. Ready when the database answers,
// Slack is connected (Socket Mode; over HTTP Slack comes to us, so that check is n/a), and the
// oldest notification not yet delivered is younger than the configured bound (a backlog that
// old means delivery is stuck). The body names every check and which failed. /healthz stays a
// liveness answer: a process that is up but not ready must not be restarted for it.

import { json } from "./respond.ts";
import type { Handler } from "./server.ts";

export interface ReadinessDeps {
  ping(): Promise<void>;
  /** When the oldest undelivered notification was written (ms), null when none waits. */
  oldestWaitingAt(): Promise<number | null>;
  /** Socket Mode: connected now; undefined when Slack is not held open (HTTP mode, no Slack). */
  slackConnected(): boolean | undefined;
  now(): number;
  outboxMaxSeconds: number;
  /** Per check, before it counts as failed (default 2 s). */
  timeoutMs?: number;
}

type Check = { ok: boolean } & Record<string, unknown>;

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The three checks, each named, with what was seen. */
export async function readiness(d: ReadinessDeps): Promise<{ ready: boolean; body: unknown }> {
  const ms = d.timeoutMs ?? 2000;
  const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));
  const [database, outbox] = await Promise.all([
    within(d.ping(), ms).then(
      (): Check => ({ ok: true }),
      (e): Check => ({ ok: false, error: reason(e) }),
    ),
    within(d.oldestWaitingAt(), ms).then(
      (at): Check => {
        const oldestSeconds = at === null ? null : Math.max(0, (d.now() - at) / 1000);
        return {
          ok: oldestSeconds === null || oldestSeconds < d.outboxMaxSeconds,
          oldestSeconds: oldestSeconds === null ? null : Math.round(oldestSeconds),
          maxSeconds: d.outboxMaxSeconds,
        };
      },
      (e): Check => ({ ok: false, error: reason(e), maxSeconds: d.outboxMaxSeconds }),
    ),
  ]);
  const up = d.slackConnected();
  const slack: Check =
    up === undefined ? { ok: true, state: "n/a" } : { ok: up, state: up ? "connected" : "down" };
  const checks = { database, slack, outbox };
  const failed = Object.entries(checks)
    .filter(([, c]) => !c.ok)
    .map(([name]) => name);
  return { ready: failed.length === 0, body: { ready: failed.length === 0, failed, checks } };
}

export function readyHandler(d: ReadinessDeps): Handler {
  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return json(res, 405, { error: "use GET" });
    const { ready, body } = await readiness(d);
    json(res, ready ? 200 : 503, body);
  };
}
