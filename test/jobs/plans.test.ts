// Periodic work on SQLite runs on the event loop, so none of it may read a table that grows
// with the keys, their grants, requests, usage or audit log from end to end: every statement a
// round of time-based jobs and the other timers prepare is answered through an index. A full
// scan of api_keys in the expiry reminders job held the loop for 20–70 ms every 30 s at
// 100,000 keys, unnoticed because it returns almost nothing.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKey } from "../../src/domain/keys/create.ts";
import { addNickname } from "../../src/domain/nicknames/add.ts";
import { createRequest } from "../../src/domain/requests/create.ts";
import { approveRequest } from "../../src/domain/requests/decide.ts";
import { DEFAULT_JOBS } from "../../src/jobs/scheduler.ts";
import { type SqliteStore, type StoreTx, sqliteTx } from "../../src/store/index.ts";
import { SqliteUnitOfWork } from "../../src/store/unit-of-work.ts";
import { pruneUsage } from "../../src/store/usage-prune.ts";
import { DAY } from "../helpers/clock.ts";
import { statementPlans } from "../helpers/plans.ts";
import { MEMBER, OWNER, type TestStore, testStore } from "../helpers/store.ts";

/** The tables whose rows grow with use; a scan of a few owners or nicknames is harmless. */
const GROWING = [
  "api_keys",
  "grants",
  "access_requests",
  "audit_events",
  "outbox",
  "expiry_reminders",
  "key_daily_usage",
  "grant_daily_usage",
  "seen_signatures",
  "retired_secrets",
];

describe("periodic work on SQLite", () => {
  let t: TestStore<SqliteStore>;
  beforeEach(async () => {
    t = await testStore("sqlite");
    // Enough of everything that each job goes past its first query: keys and time-bound
    // grants expiring within a week, a request waiting, one lapsing.
    await addNickname(t.ctx, OWNER, { nickname: "acme", kind: "seller" });
    const now = t.clock.now().getTime();
    for (const [i, days] of [3, 8, 40].entries()) {
      await createKey(t.ctx, OWNER, {
        name: `Key ${i}`,
        keyOwner: MEMBER,
        cells: [{ scope: "acme", api: "analytics" }],
        expiresAt: new Date(now + days * DAY),
      });
    }
    const { key } = await createKey(t.ctx, OWNER, {
      name: "Shared",
      keyOwner: OWNER,
      cells: [],
      expiresAt: null,
    });
    const { request } = await createRequest(t.ctx, MEMBER, {
      keyId: key.id,
      cells: [{ scope: "acme", api: "analytics" }],
      duration: "7d",
      reason: "A week of reports",
    });
    await approveRequest(t.ctx, OWNER, { requestId: request.id });
    await createRequest(t.ctx, MEMBER, {
      keyId: key.id,
      cells: [{ scope: "acme", api: "orders:read" }],
      duration: "30d",
      reason: "Waiting for an owner",
    });
    t.clock.advance(2 * DAY);
  });
  afterEach(() => t.cleanup());

  /**
   * Every statement `work` prepares on the writer connection, with SQLite's plan for it. The
   * repositories prepare theirs when they are made (the store's, when it opens), so `work`
   * runs on a fresh set of them, made on the same connection inside the capture: it sees
   * every statement they hold, not only those built on first use.
   */
  const plans = (work: (uow: SqliteUnitOfWork<StoreTx>) => Promise<unknown>) =>
    statementPlans(t.store.writer.sqlite, () =>
      work(
        new SqliteUnitOfWork(
          t.store.writer.sqlite,
          sqliteTx(t.store.writer.db, t.store.instanceId),
        ),
      ),
    );

  // Any SCAN of such a table reads all of it, through an index or not ("SCAN api_keys USING
  // COVERING INDEX …" reads every entry of the index); SEARCH is what an index is for.
  const scans = (found: Array<{ sql: string; plan: string }>) =>
    found.filter(({ plan }) =>
      GROWING.some((table) => new RegExp(`\\bSCAN ${table}\\b`).test(plan)),
    );

  it("a round of time-based jobs reads only through indexes", async () => {
    const found = await plans(async (uow) => {
      for (const job of Object.values(DEFAULT_JOBS)) await job({ ...t.ctx, uow });
      await pruneUsage(uow, t.clock.now());
    });
    // The jobs did reach their reads: the key expiring in 3 days was looked up.
    expect(found.some(({ sql }) => /from "api_keys" where .*"expires_at" >/.test(sql))).toBe(true);
    expect(found.length).toBeGreaterThan(10);
    expect(scans(found)).toEqual([]);
  });

  it("the delivery worker's poll and the replay memory's pruning read only through indexes", async () => {
    const found = await plans(async (uow) => {
      const now = t.clock.now().getTime();
      await uow.run(async (tx) => {
        await tx.outboxQueue.claimDue(now, 10);
        await tx.outboxQueue.adoptInFlight();
        await tx.outboxQueue.nextDueAt();
        await tx.signatures.forgetBefore(now, 100);
      });
    });
    expect(found.length).toBeGreaterThanOrEqual(4);
    expect(scans(found)).toEqual([]);
  });

  it("the digest's read of the keys of owners who left, and a member's own keys, go through an index", async () => {
    const found = await plans((uow) =>
      uow.run(async (tx) => {
        await tx.keys.ofOwners([MEMBER, "U0GONE0001"], 8);
        await tx.keys.list({ keyOwner: MEMBER, offset: 0, limit: 10 });
      }),
    );
    expect(found.filter(({ sql }) => /"key_owner"/.test(sql)).length).toBeGreaterThanOrEqual(3);
    expect(scans(found)).toEqual([]);
  });

  it("would catch a full scan", async () => {
    const found = await plans((uow) => uow.run((tx) => tx.keys.all(), { quiet: true }));
    expect(scans(found).length).toBeGreaterThan(0);
  });
});
