// The store on both backends: one suite, run against a real SQLite file and a real PostgreSQL
// database.
import { existsSync, readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createKey } from "../../src/domain/keys/create.ts";
import { listKeys } from "../../src/domain/keys/queries.ts";
import { regenerateKey } from "../../src/domain/keys/regenerate.ts";
import { rotateKey } from "../../src/domain/keys/rotate.ts";
import { addNickname } from "../../src/domain/nicknames/add.ts";
import { addRole } from "../../src/domain/roles/add.ts";
import { removeRole } from "../../src/domain/roles/remove.ts";
import { openStore, type Store, type StoreTx } from "../../src/store/index.ts";
import { openPgStore } from "../../src/store/pg/index.ts";
import { query } from "../helpers/db-rows.ts";
import { shown } from "../helpers/shown.ts";
import {
  BACKENDS,
  MEMBER,
  OWNER,
  OWNER2,
  TEST_PG,
  type TestStore,
  testStore,
} from "../helpers/store.ts";

/** A statement outside the domain (to prove what the database itself refuses). */
async function raw(store: Store, sql: string): Promise<void> {
  if (store.backend === "sqlite") store.writer.sqlite.prepare(sql).run();
  else await store.pool.query(sql);
}

/** Everything the database holds, as text, for secret scans. */
async function contents(t: TestStore): Promise<string[]> {
  if (t.store.backend === "sqlite") {
    t.store.writer.sqlite.pragma("wal_checkpoint(PASSIVE)");
    return [t.path as string, `${t.path}-wal`]
      .filter(existsSync)
      .map((f) => readFileSync(f).toString("latin1"));
  }
  const { rows: tables } = await t.store.pool.query<{ t: string }>(
    "select quote_ident(tablename) as t from pg_tables where schemaname = 'public'",
  );
  const out: string[] = [];
  for (const { t: table } of tables) {
    const { rows } = await t.store.pool.query<{ r: string }>(`select x::text as r from ${table} x`);
    out.push(rows.map((r) => r.r).join("\n"));
  }
  return out;
}

describe.each(BACKENDS)("the %s store", (backend) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await testStore(backend);
  });
  afterEach(() => t.cleanup());

  it("refuses UPDATE and DELETE on the audit log (and TRUNCATE where it exists)", async () => {
    await addNickname(t.ctx, OWNER, { nickname: "acme", kind: "seller" });
    await expect(raw(t.store, "update audit_events set actor = 'x'")).rejects.toThrow(
      /append-only/,
    );
    await expect(raw(t.store, "delete from audit_events")).rejects.toThrow(/append-only/);
    if (backend === "postgres") {
      await expect(raw(t.store, "truncate audit_events")).rejects.toThrow(/append-only/);
    }
    expect((await query(t.store, "select * from audit_events")).length).toBeGreaterThan(0);
  });

  it("refuses a second grant of the same cell, All accounts included", async () => {
    const { key } = await createKey(t.ctx, OWNER, {
      name: "k",
      keyOwner: OWNER,
      cells: [{ scope: "*", api: "analytics" }],
      expiresAt: null,
    });
    await expect(
      t.store.uow.run((tx) =>
        tx.grants.add(
          key.id,
          [{ scope: "*", api: "analytics", expiresAt: null, requestId: null }],
          t.clock.now(),
          OWNER,
        ),
      ),
    ).rejects.toThrow(/unique/i);
  });

  it("rolls a failed use case back entirely: no key, no audit event, no notification", async () => {
    const before = {
      audit: (await query(t.store, "select * from audit_events")).length,
      outbox: (await query(t.store, "select * from outbox")).length,
    };
    await expect(
      t.store.uow.run(async (tx) => {
        await tx.nicknames.insert({
          nickname: "temp",
          kind: "seller",
          at: t.clock.now(),
          by: OWNER,
        });
        await tx.audit.append({ at: t.clock.now(), actor: OWNER, action: "nickname.added" });
        await tx.outbox.enqueue(
          [{ kind: "dm", recipient: OWNER, notice: { type: "request_card", requestId: 1 } }],
          t.clock.now(),
        );
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await query(t.store, "select * from nicknames")).toHaveLength(0);
    expect(await query(t.store, "select * from audit_events")).toHaveLength(before.audit);
    expect(await query(t.store, "select * from outbox")).toHaveLength(before.outbox);
  });

  it("drops the verification cache after a change, not after a use case that only read", async () => {
    const dropped = vi.spyOn(t.store.verify, "invalidate");
    await listKeys(t.ctx, { offset: 0, limit: 10 });
    expect(dropped).not.toHaveBeenCalled();
    const claim = () => t.store.uow.run((tx) => tx.submissions.claim("V1", t.clock.now()));
    expect(await claim()).toBe(true);
    expect(dropped).toHaveBeenCalledTimes(1);
    // An insert that found its row taken changed nothing.
    expect(await claim()).toBe(false);
    expect(dropped).toHaveBeenCalledTimes(1);
    await addNickname(t.ctx, OWNER, { nickname: "acme", kind: "seller" });
    expect(dropped).toHaveBeenCalledTimes(2);
  });

  it("keeps going after a failed transaction", async () => {
    await expect(t.store.uow.run(async () => Promise.reject(new Error("x")))).rejects.toThrow();
    expect(await t.store.uow.run(async (tx) => (await tx.roles.owners()).length)).toBe(2);
  });

  it("never holds a secret in the database", async () => {
    await addNickname(t.ctx, OWNER, { nickname: "acme", kind: "seller" });
    const secrets: string[] = [];
    for (let i = 0; i < 20; i++) {
      const { key, secret } = await createKey(t.ctx, OWNER, {
        name: `k${i}`,
        keyOwner: MEMBER,
        cells: [{ scope: "acme", api: "analytics" }],
        expiresAt: null,
      });
      secrets.push(secret);
      secrets.push(
        shown((await regenerateKey(t.ctx, OWNER, { keyId: key.id, grace: "1h" })).secret),
      );
      const r = await rotateKey(t.ctx, OWNER, {
        keyId: key.id,
        reason: "test",
        mode: { kind: "rotate", grace: "none" },
      });
      if (r.secret) secrets.push(r.secret);
    }
    const held = await contents(t);
    expect(held.join("").length).toBeGreaterThan(0);
    for (const s of secrets) {
      for (const f of held) {
        expect(f.includes(s)).toBe(false);
        // Not even the random tail (the public id is meant to be visible).
        expect(f.includes(s.slice(11))).toBe(false);
      }
    }
  });

  it("records last use in one batch, never moving it backwards", async () => {
    const make = async (name: string) =>
      (await createKey(t.ctx, OWNER, { name, keyOwner: MEMBER, cells: [], expiresAt: null })).key;
    const [a, b] = [await make("a"), await make("b")];
    const t1 = new Date(Date.parse("2026-11-28T10:00:00Z"));
    const t2 = new Date(t1.getTime() + 60_000);
    await t.store.uow.run((tx) => tx.keys.touchLastUsed(new Map([[a.id, t2]])), { quiet: true });
    await t.store.uow.run(
      (tx) =>
        tx.keys.touchLastUsed(
          new Map([
            [a.id, t1],
            [b.id, t1],
          ]),
        ),
      { quiet: true },
    );
    const after = await t.store.uow.run(async (tx) => [
      await tx.keys.byId(a.id),
      await tx.keys.byId(b.id),
    ]);
    expect(after.map((k) => k?.lastUsedAt)).toEqual([t2, t1]);
    // Last use is not a change: the versions stay.
    expect(after.map((k) => k?.version)).toEqual([a.version, b.version]);
  });

  it("keeps the delivery worker's bookkeeping: retries, put-backs, failures, delivered cards", async () => {
    const at = t.clock.now();
    await t.store.uow.run((tx) =>
      tx.outbox.enqueue(
        [
          {
            kind: "dm",
            recipient: OWNER,
            requestId: 7,
            notice: { type: "request_card", requestId: 7 },
          },
          {
            kind: "dm",
            recipient: OWNER2,
            requestId: 7,
            notice: { type: "request_card", requestId: 7 },
          },
          {
            kind: "dm",
            recipient: MEMBER,
            requestId: 7,
            notice: { type: "request_outcome", requestId: 7 },
          },
          {
            kind: "thread",
            recipient: "C1",
            threadTs: "1.2",
            notice: { type: "request_reminder", requestIds: [7] },
          },
        ],
        at,
      ),
    );
    const q = <R>(fn: (queue: StoreTx["outboxQueue"]) => Promise<R>) =>
      t.store.uow.run((tx) => fn(tx.outboxQueue), { quiet: true });
    const now = at.getTime();
    expect(await q((x) => x.nextDueAt())).toBe(now);
    const [c1, c2, outcome, thread] = await q((x) => x.claimDue(now, 10));
    expect([c1, c2, outcome, thread].map((r) => r?.kind)).toEqual(["dm", "dm", "dm", "thread"]);
    expect(thread?.threadTs).toBe("1.2");
    expect(outcome?.notice).toEqual({ type: "request_outcome", requestId: 7 });
    expect(await q((x) => x.nextDueAt())).toBeNull();

    await q(async (x) => {
      await x.markSent(c1?.id as number, "D1", "100.1", now);
      await x.markSent(outcome?.id as number, "D3", "100.3", now);
      await x.retryAt(c2?.id as number, now + 5000, {
        error: "user_not_found",
        inDoubt: false,
        refused: true,
      });
      await x.putBack(thread?.id as number, now + 1000);
    });
    // Only delivered Approve/Deny cards are updated in place, each for whom it was sent.
    expect(await q((x) => x.deliveredCards(7))).toEqual([
      { channel: "D1", ts: "100.1", recipient: OWNER },
    ]);
    expect(await q((x) => x.nextDueAt())).toBe(now + 1000);
    const [back] = await q((x) => x.claimDue(now + 1000, 10));
    // A put-back row was not attempted: it goes out as its first attempt again.
    expect(back).toMatchObject({ id: thread?.id, attempts: 1 });
    const [again] = await q((x) => x.claimDue(now + 5000, 10));
    expect(again).toMatchObject({
      id: c2?.id,
      attempts: 2,
      refusals: 1,
      inDoubt: false,
      lastError: "user_not_found",
    });
    await q((x) => x.fail(again?.id as number, "user_not_found"));
    await q((x) =>
      x.retryAt(back?.id as number, now + 9000, { error: "no_answer", inDoubt: true }),
    );
    expect(await q((x) => x.counts())).toEqual({ sent: 2, failed: 1, pending: 1 });
    // In doubt until an attempt settles it: a put-back keeps the doubt, a send clears it.
    const [inDoubt] = await q((x) => x.claimDue(now + 9000, 10));
    expect(inDoubt).toMatchObject({ refusals: 0, inDoubt: true, lastError: "no_answer" });
    await q((x) => x.putBack(inDoubt?.id as number, now + 9000));
    const [stillInDoubt] = await q((x) => x.claimDue(now + 9000, 10));
    expect(stillInDoubt).toMatchObject({ id: inDoubt?.id, inDoubt: true });
    await q((x) =>
      x.retryAt(stillInDoubt?.id as number, now + 9500, { error: "ratelimited", inDoubt: false }),
    );
    const [settled] = await q((x) => x.claimDue(now + 9500, 10));
    expect(settled).toMatchObject({ inDoubt: false, lastError: "ratelimited" });
    await q((x) => x.markSent(settled?.id as number, "C1", "100.4", now + 9500));
    expect(
      await query(t.store, "select in_doubt, last_error from outbox where id = ?", settled?.id),
    ).toEqual([{ in_doubt: 0, last_error: null }]);
  });

  it("lets another instance adopt outbox rows whose claimer is gone, and only then", async () => {
    await t.store.uow.run((tx) =>
      tx.outbox.enqueue(
        [1, 2, 3].map((requestId) => ({
          kind: "dm" as const,
          recipient: OWNER,
          notice: { type: "request_card" as const, requestId },
        })),
        t.clock.now(),
      ),
    );
    const now = t.clock.now().getTime();
    const claimed = await t.store.uow.run((tx) => tx.outboxQueue.claimDue(now, 2), {
      quiet: true,
    });
    expect(claimed.map((r) => r.attempts)).toEqual([1, 1]);
    // Its own claims are not in doubt while it runs.
    expect(await t.store.uow.run((tx) => tx.outboxQueue.adoptInFlight(), { quiet: true })).toEqual(
      [],
    );
    // The claiming instance goes away without settling them (and cannot settle them now).
    const first = t.store;
    await first.close();
    const next = await reopen(first);
    try {
      const adopted = await next.uow.run((tx) => tx.outboxQueue.adoptInFlight(), { quiet: true });
      expect(adopted.map((r) => r.id)).toEqual(claimed.map((r) => r.id));
      // The new instance settles them; the remaining row is still claimable, once.
      for (const r of adopted)
        await next.uow.run((tx) => tx.outboxQueue.markSent(r.id, "D1", `${r.id}.0`, now), {
          quiet: true,
        });
      const rest = await next.uow.run((tx) => tx.outboxQueue.claimDue(now, 10), { quiet: true });
      expect(rest).toHaveLength(1);
      expect(await next.uow.run((tx) => tx.outboxQueue.counts(), { quiet: true })).toEqual({
        sending: 1,
        sent: 2,
      });
    } finally {
      await next.close();
    }
  });
});

/** A new instance on the same database as a closed store. */
function reopen(store: Store): Promise<Store> | Store {
  return store.backend === "sqlite" ? openStore(store.path) : openPgStore(store.url, TEST_PG);
}

describe.each(BACKENDS)("roles on %s", (backend) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await testStore(backend);
  });
  afterEach(() => t.cleanup());

  it("protects the last owner", async () => {
    await removeRole(t.ctx, OWNER, { userId: OWNER2 });
    await expect(removeRole(t.ctx, OWNER, { userId: OWNER })).rejects.toThrow(/last account owner/);
    await expect(addRole(t.ctx, OWNER, { userId: OWNER, role: "oncall" })).rejects.toThrow(
      /last account owner/,
    );
    await expect(addRole(t.ctx, MEMBER, { userId: MEMBER, role: "owner" })).rejects.toThrow(
      /Only account owners/,
    );
  });

  it("tells the sole owner about their own changes", async () => {
    await removeRole(t.ctx, OWNER, { userId: OWNER2 });
    await addNickname(t.ctx, OWNER, { nickname: "solo", kind: "seller" });
    const last = await query<{ recipient: string }>(
      t.store,
      "select recipient from outbox order by id desc limit 1",
    );
    expect(last[0]?.recipient).toBe(OWNER);
  });
});

describe.each(BACKENDS)("grants of many keys on %s", (backend) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await testStore(backend);
  });
  afterEach(() => t.cleanup());

  it("are read for more keys than SQLite takes parameters in one statement (the digest at 100,000 keys)", async () => {
    await addNickname(t.ctx, OWNER, { nickname: "acme", kind: "seller" });
    const { key } = await createKey(t.ctx, OWNER, {
      name: "k",
      keyOwner: OWNER,
      cells: [{ scope: "acme", api: "analytics" }],
      expiresAt: null,
    });
    const ids = [...Array.from({ length: 40_000 }, (_, i) => key.id + 1 + i), key.id];
    const grants = await t.store.uow.run((tx) => tx.grants.forKeys(ids));
    expect(grants.get(key.id)).toEqual([
      expect.objectContaining({ scope: "acme", api: "analytics" }),
    ]);
    expect(grants.size).toBe(1);
  });
});

describe("closing the SQLite store", () => {
  it("resolves only once every connection is closed, the checkpoint thread's too", async () => {
    const t = await testStore("sqlite", [OWNER]);
    try {
      const path = t.path as string;
      await createKey(t.ctx, OWNER, {
        name: "Closing",
        keyOwner: OWNER,
        cells: [],
        expiresAt: null,
      });
      // A WAL large enough that the checkpoint thread is still at work when close() is asked.
      await raw(t.store, "create table ballast (b blob)");
      for (let i = 0; i < 40; i++)
        await raw(t.store, "insert into ballast values (randomblob(1000000))");
      expect(existsSync(`${path}-wal`)).toBe(true);
      await t.store.close();
      // The last connection to close removes the WAL file: when close() has resolved, nothing
      // is left to change the database's files (a copy taken now is the whole database).
      expect(existsSync(`${path}-wal`)).toBe(false);
      expect(existsSync(`${path}-shm`)).toBe(false);
    } finally {
      await t.cleanup();
    }
  });
});
