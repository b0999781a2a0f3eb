// /readyz: 200 only when the database answers and Slack is connected (Socket Mode). The
// outbox's wait is reported, and gates readiness only when READYZ_OUTBOX_MAX_SECONDS is set
// (the outbox is shared: one stuck row must not take every instance out at once), counting
// only rows that are due, not ones backing off. The body names checks, never error text.
// /healthz stays a liveness answer throughout.
import { afterEach, describe, expect, it } from "vitest";
import { createKey } from "../../src/domain/keys/create.ts";
import { type TestApp, testApp } from "../helpers/app.ts";
import { emptyDatabase, fileDatabase } from "../helpers/pg.ts";
import { type Harness, startHarness } from "../helpers/slack/harness.ts";
import { BACKENDS, MEMBER, OWNER } from "../helpers/store.ts";

async function get(base: string, path: string) {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe.each(BACKENDS)("readiness (%s)", (backend) => {
  let t: TestApp;
  afterEach(() => t.stop());

  const start = async (env: Record<string, string> = {}) => {
    if (backend === "postgres") {
      const url = await fileDatabase();
      await emptyDatabase(url);
      env = { DATABASE_URL: url, ...env };
    }
    t = await testApp(env);
  };
  // No Slack here: the owners' notifications of a new key stay undelivered, due at once.
  const newKey = () =>
    createKey(t.app.ctx, OWNER, {
      name: "Billing sync",
      keyOwner: MEMBER,
      cells: [{ scope: "*", api: "analytics" }],
      expiresAt: null,
    });

  it("is ready with the database answering, nothing due, and Slack n/a without Socket Mode", async () => {
    await start();
    const r = await get(t.app.url, "/readyz");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      ready: true,
      failed: [],
      warnings: [],
      checks: {
        database: { ok: true },
        slack: { ok: true, state: "n/a" },
        outbox: { ok: true, oldestSeconds: null, maxSeconds: 120 },
      },
    });
  });

  it("by default only reports notifications waiting too long: every instance shares them", async () => {
    await start();
    await newKey();
    t.clock.advance(121_000);
    const r = await get(t.app.url, "/readyz");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ready: true, failed: [], warnings: ["outbox"] });
    expect(r.body.checks).toMatchObject({
      outbox: { ok: false, oldestSeconds: 121, maxSeconds: 120 },
    });
  });

  it("with READYZ_OUTBOX_MAX_SECONDS, is not ready once a due notification waited longer", async () => {
    await start({ READYZ_OUTBOX_MAX_SECONDS: "60" });
    await newKey();
    t.clock.advance(59_000);
    expect((await get(t.app.url, "/readyz")).status).toBe(200);
    t.clock.advance(2_000);
    const r = await get(t.app.url, "/readyz");
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ failed: ["outbox"], warnings: [] });
    expect(r.body.checks).toMatchObject({
      database: { ok: true },
      outbox: { ok: false, oldestSeconds: 61, maxSeconds: 60 },
    });
    expect((await get(t.app.url, "/healthz")).status).toBe(200);
  });

  it("does not count notifications backing off after a Slack failure, only from when they are due", async () => {
    await start({ READYZ_OUTBOX_MAX_SECONDS: "60" });
    await newKey();
    const now = t.clock.now().getTime();
    // As the worker leaves a row after Slack failed: claimed, then due again in 5 minutes.
    await t.app.store.uow.run(async (tx) => {
      for (const row of await tx.outboxQueue.claimDue(now, 100))
        await tx.outboxQueue.retryAt(row.id, now + 300_000, {
          error: "ratelimited",
          inDoubt: false,
        });
    });
    t.clock.advance(290_000);
    let r = await get(t.app.url, "/readyz");
    expect(r.status).toBe(200);
    expect(r.body.checks).toMatchObject({ outbox: { ok: true, oldestSeconds: null } });
    t.clock.advance(70_000);
    r = await get(t.app.url, "/readyz");
    expect(r.status).toBe(503);
    expect(r.body.checks).toMatchObject({ outbox: { ok: false, oldestSeconds: 60 } });
  });

  it("is not ready when the database does not answer, and does not say why in public", async () => {
    await start();
    await t.app.store.close();
    const r = await get(t.app.url, "/readyz");
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ failed: ["database"], warnings: ["outbox"] });
    // Only names: the driver's error text is in the log, not in an unauthenticated answer.
    expect(r.body.checks).toMatchObject({ database: { ok: false }, outbox: { ok: false } });
    expect(JSON.stringify(r.body)).not.toMatch(/error|closed|connect|ECONN|terminat/i);
    expect(t.logs.some((l) => l.includes('"check":"database"'))).toBe(true);
    expect((await get(t.app.url, "/healthz")).status).toBe(200);
  });

  it("answers a burst of probes with one round of checks", async () => {
    await start();
    let pings = 0;
    const ping = t.app.store.ping.bind(t.app.store);
    t.app.store.ping = () => {
      pings++;
      return ping();
    };
    const answers = await Promise.all(Array.from({ length: 20 }, () => get(t.app.url, "/readyz")));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(pings).toBe(1);
    t.clock.advance(1_000);
    await get(t.app.url, "/readyz");
    expect(pings).toBe(2);
  });
});

describe("readiness in Socket Mode", () => {
  let h: Harness;
  afterEach(() => h.stop());

  it("is ready while the Socket Mode connection is up, not while it is lost, and again once back", async () => {
    h = await startHarness({}, { socketMode: true });
    const up = await get(h.app.url, "/readyz");
    expect(up.status).toBe(200);
    expect(up.body.checks).toMatchObject({ slack: { ok: true, state: "connected" } });

    h.slack.line?.drop();
    await expect
      .poll(async () => (await get(h.app.url, "/readyz")).body.failed, { timeout: 10_000 })
      .toEqual(["slack"]);
    expect((await get(h.app.url, "/healthz")).status).toBe(200);
    // The client connects again by itself (after its pause); ready again.
    await expect
      .poll(async () => (await get(h.app.url, "/readyz")).status, { timeout: 20_000 })
      .toBe(200);
  });
});
