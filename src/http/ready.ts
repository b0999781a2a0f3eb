// GET /readyz: whether this instance should be sent traffic. Ready when the database answers
// and Slack is connected (Socket Mode; over HTTP Slack comes to us, so that check is n/a).
// The outbox check reports how long due notifications have waited. It takes the instance out
// of rotation only when READYZ_OUTBOX_MAX_SECONDS is set: the outbox is shared, so one stuck
// notification would make every instance unready at once and stop the verification API for
// a problem that has nothing to do with it. Rows backing off after a Slack failure are not
// due and do not count. /healthz stays a liveness answer: a process that is up but not ready
// must not be restarted for it.
//
// The endpoint is public: its body names checks, never the errors behind them (those go to
// the log), and an answer is reused for a second so a flood of probes cannot load the database.

import type { Log } from "../log.ts";
import { json } from "./respond.ts";
import type { Handler } from "./server.ts";

export interface ReadinessDeps {
  ping(): Promise<void>;
  /** Since when (ms) the oldest due notification has waited; null when none is due. */
  oldestDueAt(now: number): Promise<number | null>;
  /** Socket Mode: connected now; undefined when Slack is not held open (HTTP mode, no Slack). */
  slackConnected(): boolean | undefined;
  now(): number;
  /** The outbox bound: above it the outbox check fails. */
  outboxMaxSeconds: number;
  /** Whether a failed outbox check makes the instance unready, or is only reported. */
  outboxGates: boolean;
  log?: Pick<Log, "warn">;
  /** Per check, before it counts as failed (default 2 s). */
  timeoutMs?: number;
  /** How long an answer is reused (default 1 s). */
  cacheMs?: number;
}

type Check = { ok: boolean } & Record<string, unknown>;
export interface Readiness {
  ready: boolean;
  body: { ready: boolean; failed: string[]; warnings: string[]; checks: Record<string, Check> };
}

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
export async function readiness(d: ReadinessDeps): Promise<Readiness> {
  const ms = d.timeoutMs ?? 2000;
  const failedWith =
    (name: string) =>
    (e: unknown): Check => {
      d.log?.warn({ check: name, err: e instanceof Error ? e.message : String(e) }, "readyz");
      return { ok: false };
    };
  const now = d.now();
  const [database, outbox] = await Promise.all([
    within(d.ping(), ms).then((): Check => ({ ok: true }), failedWith("database")),
    within(d.oldestDueAt(now), ms).then((at): Check => {
      const oldestSeconds = at === null ? null : Math.max(0, (now - at) / 1000);
      return {
        ok: oldestSeconds === null || oldestSeconds < d.outboxMaxSeconds,
        oldestSeconds: oldestSeconds === null ? null : Math.round(oldestSeconds),
        maxSeconds: d.outboxMaxSeconds,
      };
    }, failedWith("outbox")),
  ]);
  const up = d.slackConnected();
  const slack: Check =
    up === undefined ? { ok: true, state: "n/a" } : { ok: up, state: up ? "connected" : "down" };
  const checks = { database, slack, outbox };
  const gating = new Set(["database", "slack", ...(d.outboxGates ? ["outbox"] : [])]);
  const notOk = Object.entries(checks)
    .filter(([, c]) => !c.ok)
    .map(([name]) => name);
  const failed = notOk.filter((n) => gating.has(n));
  const warnings = notOk.filter((n) => !gating.has(n));
  const ready = failed.length === 0;
  return { ready, body: { ready, failed, warnings, checks } };
}

export function readyHandler(d: ReadinessDeps): Handler {
  const cacheMs = d.cacheMs ?? 1000;
  let last: { at: number; answer: Promise<Readiness> } | undefined;
  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return json(res, 405, { error: "use GET" });
    const now = d.now();
    // Probes at the same moment share one round of checks.
    if (!last || now - last.at >= cacheMs || now < last.at) {
      last = { at: now, answer: readiness(d) };
    }
    const { ready, body } = await last.answer;
    json(res, ready ? 200 : 503, body);
  };
}
