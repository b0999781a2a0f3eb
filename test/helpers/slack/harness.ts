// The real Keyward in HTTP mode (or Socket Mode) on 127.0.0.1, talking to the Slack stand-in
// (the same one the sandbox serves), on a fresh SQLite file, with its logs captured.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { type Keyward, startKeyward } from "../../../src/app.ts";
import { type Config, configSchema } from "../../../src/config.ts";
import { createLog, scrubStats } from "../../../src/log.ts";
import { SlackStandIn } from "../../../src/sandbox/standin/index.ts";
import type { Json } from "../../../src/sandbox/standin/workspace.ts";
import { ShiftClock } from "../clock.ts";

export const BOT_TOKEN = "xoxb-test-0000000000-keyward";
export const SIGNING_SECRET = "test-signing-secret-0123456789";
export const VERIFY_TOKEN = "test-verify-token-0123456789";
export const APP_TOKEN = "xapp-1-test-keyward-socket";
export const GENERAL = "C0GENERAL";

export const PEOPLE = {
  owner: { id: "U0OWNER1", name: "olivia", realName: "Olivia Owner" },
  owner2: { id: "U0OWNER2", name: "oscar", realName: "Oscar Owner" },
  oncall: { id: "U0ONCALL", name: "casey", realName: "Casey Oncall" },
  member: { id: "U0MEMBER", name: "mia", realName: "Mia Member" },
  member2: { id: "U0MEMBR2", name: "max", realName: "Max Member" },
} as const;
export type Who = keyof typeof PEOPLE;

export interface Harness {
  app: Keyward;
  slack: SlackStandIn;
  clock: ShiftClock;
  logs: string[];
  dir: string;
  /** The app's configuration (another instance on the same database can be started with it). */
  config: Config;
  stop(): Promise<void>;
  /** Stops and starts the app on the same database; `between` runs while it is down. */
  restart(between?: (dbPath: string) => void): Promise<void>;
}

export async function startHarness(
  env: Record<string, string> = {},
  o: { socketMode?: boolean } = {},
): Promise<Harness> {
  scrubStats.lines = 0;
  const dir = mkdtempSync(join(tmpdir(), "keyward-e2e-"));
  const slack = new SlackStandIn({
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    ...(o.socketMode ? { appToken: APP_TOKEN } : {}),
  });
  await slack.start();
  for (const p of Object.values(PEOPLE)) slack.ws.addPerson(p);
  slack.ws.addChannel(GENERAL, "general");
  const logs: string[] = [];
  const clock = new ShiftClock();
  const config = configSchema.parse({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_PATH: join(dir, "keyward.db"),
    OWNER_USER_IDS: `${PEOPLE.owner.id},${PEOPLE.owner2.id}`,
    VERIFY_API_TOKEN: VERIFY_TOKEN,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    LOG_LEVEL: "debug",
    ...(o.socketMode ? { SLACK_APP_TOKEN: APP_TOKEN } : {}),
    ...env,
  });
  const start = () =>
    startKeyward({
      config,
      clock,
      log: createLog("debug", (l) => logs.push(l)),
      slackRetries: 0,
      slackTimeoutMs: 400,
      worker: { pollMs: 20, backoffBaseMs: 20, uploadTimeoutMs: 400 },
    });
  // Calls time out after 400 ms so the tests of slow or silent Slack stay short; on a machine
  // busy with other work, the start's auth.test can miss that once. A failed start closes
  // everything it opened, so it is tried again (three times in all) before the test fails.
  const boot = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await start();
      } catch (e) {
        if (attempt >= 3 || !String((e as Error).message).startsWith("Could not connect to Slack"))
          throw e;
      }
    }
  };
  const h: Harness = {
    app: await boot(),
    slack,
    clock,
    logs,
    dir,
    config,
    async stop() {
      await h.app.stop();
      await slack.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async restart(between) {
      await h.app.stop();
      between?.(config.DATABASE_PATH);
      h.app = await boot();
      slack.appUrl = `${h.app.url}/slack/events`;
    },
  };
  slack.appUrl = `${h.app.url}/slack/events`;
  if (o.socketMode) await slack.line?.whenConnected();
  return h;
}

/**
 * Waits for the app to finish every Slack event it has taken (the work after each ack
 * included), then delivers the notifications that work wrote; until nothing is left.
 */
export async function quiet(h: Harness): Promise<void> {
  for (;;) {
    await h.app.slack?.work.idle();
    await h.app.worker?.drain();
    if ((h.app.slack?.work.size ?? 0) === 0) return;
  }
}

/**
 * Waits until the outbox holds nothing pending or in flight: every notification delivered or
 * given up on, however long the worker's backoff and Slack's Retry-After make that take.
 */
export async function outboxSettled(h: Harness, timeoutMs = 30_000): Promise<void> {
  const busy = async () => {
    const c = await h.app.store.uow.run(async (tx) => tx.outboxQueue.counts(), { quiet: true });
    return (c.pending ?? 0) + (c.sending ?? 0);
  };
  await expect.poll(busy, { timeout: timeoutMs, interval: 50 }).toBe(0);
}

/** Asks the verification API, as a service holding a key would. */
export async function verify(h: Harness, body: Json) {
  const res = await fetch(`${h.app.url}/v1/verify`, {
    method: "POST",
    headers: { authorization: `Bearer ${VERIFY_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Json;
}
