// /readyz: 200 only when the database answers, Slack is connected (Socket Mode) and the oldest
// undelivered notification is younger than READYZ_OUTBOX_MAX_SECONDS; the body names each
// check and which failed. /healthz stays a liveness answer throughout.
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

  it("is ready with the database answering, no backlog, and Slack n/a without Socket Mode", async () => {
    await start();
    const r = await get(t.app.url, "/readyz");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      ready: true,
      failed: [],
      checks: {
        database: { ok: true },
        slack: { ok: true, state: "n/a" },
        outbox: { ok: true, oldestSeconds: null, maxSeconds: 120 },
      },
    });
  });

  it("is not ready when the oldest undelivered notification is older than the bound", async () => {
    await start({ READYZ_OUTBOX_MAX_SECONDS: "60" });
    // No Slack here: the owners' notifications of a new key stay undelivered.
    await createKey(t.app.ctx, OWNER, {
      name: "Billing sync",
      keyOwner: MEMBER,
      cells: [{ scope: "*", api: "analytics" }],
      expiresAt: null,
    });
    t.clock.advance(59_000);
    expect((await get(t.app.url, "/readyz")).status).toBe(200);
    t.clock.advance(2_000);
    const r = await get(t.app.url, "/readyz");
    expect(r.status).toBe(503);
    expect(r.body.failed).toEqual(["outbox"]);
    expect(r.body.checks).toMatchObject({
      database: { ok: true },
      outbox: { ok: false, oldestSeconds: 61, maxSeconds: 60 },
    });
    expect((await get(t.app.url, "/healthz")).status).toBe(200);
  });

  it("is not ready when the database does not answer, and says so", async () => {
    await start();
    await t.app.store.close();
    const r = await get(t.app.url, "/readyz");
    expect(r.status).toBe(503);
    expect(r.body.failed).toEqual(["database", "outbox"]);
    expect(
      (r.body.checks as Record<string, { ok: boolean; error?: string }>).database?.error,
    ).toBeTruthy();
    expect((await get(t.app.url, "/healthz")).status).toBe(200);
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
