// What only PostgreSQL promises: several instances on one database. Each "instance" here is a
// store with its own connection pool and listener, as a separate Keyward process has.
import { readFileSync } from "node:fs";
import { is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as pgSchema from "../../db/schema.pg.ts";
import type { Ctx } from "../../src/domain/context.ts";
import { DomainError, StaleError } from "../../src/domain/errors.ts";
import { createKey } from "../../src/domain/keys/create.ts";
import { disableKey } from "../../src/domain/keys/disable.ts";
import { editKey } from "../../src/domain/keys/edit.ts";
import { regenerateKey } from "../../src/domain/keys/regenerate.ts";
import { type VerifyResult, verify } from "../../src/domain/keys/verify.ts";
import { addNickname } from "../../src/domain/nicknames/add.ts";
import { createRequest } from "../../src/domain/requests/create.ts";
import { approveRequest, denyRequest } from "../../src/domain/requests/decide.ts";
import { bootstrapOwners } from "../../src/domain/roles/bootstrap.ts";
import { removeRole } from "../../src/domain/roles/remove.ts";
import type { StoreUnitOfWork } from "../../src/store/index.ts";
import { openPgStore, type PgStore, type PgStoreOptions } from "../../src/store/pg/index.ts";
import { ManualClock } from "../helpers/clock.ts";
import { query } from "../helpers/db-rows.ts";
import { emptyDatabase, fileDatabase, freshDatabase, hasPostgres } from "../helpers/pg.ts";
import { MEMBER, OWNER, OWNER2, TEST_PG, type TestStore, testStore } from "../helpers/store.ts";

const journal = JSON.parse(
  readFileSync(new URL("../../db/migrations-pg/meta/_journal.json", import.meta.url), "utf8"),
) as { entries: unknown[] };

/** Until `ready()` holds (the thing itself, not a fixed wait); fails after `ms`. */
async function until(ready: () => boolean | Promise<boolean>, what: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe.skipIf(!hasPostgres())("PostgreSQL, several instances", () => {
  let a: TestStore;
  let b: PgStore;
  let bCtx: Ctx;
  const extra: PgStore[] = [];
  /** Another instance on the same database, with the same clock as `a`. */
  const instance = async (o: PgStoreOptions = {}) => {
    const s = await openPgStore((a.store as PgStore).url, { ...TEST_PG, ...o });
    extra.push(s);
    return s;
  };

  beforeEach(async () => {
    a = await testStore("postgres");
    b = await openPgStore((a.store as PgStore).url, TEST_PG);
    bCtx = { uow: b.uow, clock: a.clock };
  });
  afterEach(async () => {
    for (const s of extra.splice(0)) await s.close();
    await b.close();
    await a.cleanup();
  });

  it("applies migrations once when three instances start on a fresh database at once", async () => {
    const url = await freshDatabase();
    const three = await Promise.all([1, 2, 3].map(() => openPgStore(url, TEST_PG)));
    try {
      const applied = await three[0]?.pool.query("select hash from drizzle.__drizzle_migrations");
      expect(applied?.rows).toHaveLength(journal.entries.length);
      const tables = await three[0]?.pool.query(
        "select count(*)::int as n from pg_tables where schemaname = 'public'",
      );
      // Every table of the schema, once.
      expect(tables?.rows[0].n).toBe(Object.values(pgSchema).filter((x) => is(x, PgTable)).length);
    } finally {
      await Promise.all(three.map((s) => s.close()));
    }
  });

  it("says DATABASE_URL, without its password, when the server cannot be used", async () => {
    await expect(openPgStore("postgres://keyward:hunter2@127.0.0.1:1/keyward")).rejects.toThrow(
      /^DATABASE_URL: could not use PostgreSQL at 127\.0\.0\.1:1\/keyward: connection refused/,
    );
    const missing = new URL((a.store as PgStore).url);
    missing.pathname = "/kwt_no_such_database";
    const e = await openPgStore(missing.toString()).catch((x: Error) => x);
    expect(String(e)).toMatch(/DATABASE_URL: .*kwt_no_such_database.*does not exist/);
    expect(String(e)).not.toContain("hunter2");
  });

  it("lets one of many concurrent edits of a key win across instances; the rest are stale", async () => {
    const { key } = await createKey(a.ctx, OWNER, {
      name: "Shared",
      keyOwner: MEMBER,
      cells: [],
      expiresAt: null,
    });
    const edits = Array.from({ length: 10 }, (_, i) =>
      editKey(i % 2 ? bCtx : a.ctx, i % 2 ? OWNER2 : OWNER, {
        keyId: key.id,
        expectedVersion: key.version,
        name: `Shared ${i}`,
      }),
    );
    const results = await Promise.allSettled(edits);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(9);
    for (const e of lost) expect(e).toBeInstanceOf(StaleError);
    const renamed = await query(a.store, "select * from audit_events where action = 'key.renamed'");
    expect(renamed).toHaveLength(1);
    expect((await query(a.store, "select version from api_keys"))[0]).toEqual({ version: 2 });
  });

  it("lets the first decision on a request win across instances", async () => {
    await addNickname(a.ctx, OWNER, { nickname: "acme", kind: "seller" });
    const { key } = await createKey(a.ctx, OWNER, {
      name: "K",
      keyOwner: MEMBER,
      cells: [],
      expiresAt: null,
    });
    for (let round = 0; round < 3; round++) {
      const { request } = await createRequest(a.ctx, MEMBER, {
        keyId: key.id,
        cells: [
          {
            scope: "acme",
            api: round === 0 ? "analytics" : round === 1 ? "products" : "orders:read",
          },
        ],
        duration: "1d",
        reason: "monthly reports",
      });
      const [approve, deny] = await Promise.allSettled([
        approveRequest(a.ctx, OWNER, { requestId: request.id }),
        denyRequest(bCtx, OWNER2, { requestId: request.id, reason: "not now" }),
      ]);
      const outcomes = [approve, deny].map((r) => r.status);
      expect(outcomes.sort()).toEqual(["fulfilled", "rejected"]);
      const refusal = [approve, deny].find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(refusal.reason).toBeInstanceOf(DomainError);
      expect((refusal.reason as DomainError).code).toBe("already_decided");
      const decided = await query<{ action: string }>(
        a.store,
        "select action from audit_events where request_id = ? and action in ('request.approved', 'request.denied')",
        request.id,
      );
      expect(decided).toHaveLength(1);
    }
  });

  it("keeps the last owner when two owners remove each other on two instances at once", async () => {
    const results = await Promise.allSettled([
      removeRole(a.ctx, OWNER, { userId: OWNER2 }),
      removeRole(bCtx, OWNER2, { userId: OWNER }),
    ]);
    // Read, then write, in two transactions: only SERIALIZABLE keeps both from succeeding.
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const owners = await a.store.uow.run((tx) => tx.roles.owners());
    expect(owners).toHaveLength(1);
  });

  it("runs a transaction that fails to serialize again, a bounded number of times", async () => {
    const { key } = await createKey(a.ctx, OWNER, {
      name: "K",
      keyOwner: MEMBER,
      cells: [],
      expiresAt: null,
    });
    const c = await instance({ maxAttempts: 3 });
    // Each attempt reads the key, then another session changes it before this one writes.
    const conflicting = (times: number) => {
      let attempts = 0;
      return {
        attempts: () => attempts,
        run: () =>
          c.uow.run(async (tx) => {
            attempts++;
            const k = await tx.keys.byId(key.id);
            if (attempts <= times)
              await b.pool.query("update api_keys set version = version + 1 where id = $1", [
                key.id,
              ]);
            return tx.keys.update(
              key.id,
              k?.version ?? 0,
              { status: "disabled" },
              a.clock.now(),
              OWNER,
            );
          }),
      };
    };
    const once = conflicting(1);
    expect(await once.run()).toBe(true);
    expect(once.attempts()).toBe(2);
    const always = conflicting(Number.POSITIVE_INFINITY);
    await expect(always.run()).rejects.toMatchObject({ code: "40001" });
    expect(always.attempts()).toBe(3);
    expect(c.uow.retries).toBe(3);
  });

  it("claims each outbox row on one instance only (SKIP LOCKED)", async () => {
    await a.store.uow.run((tx) =>
      tx.outbox.enqueue(
        Array.from({ length: 60 }, (_, i) => ({
          kind: "dm" as const,
          recipient: OWNER,
          notice: { type: "request_card" as const, requestId: i + 1 },
        })),
        a.clock.now(),
      ),
    );
    const now = a.clock.now().getTime();
    const c = await instance();
    const taken = new Map<number, string>();
    for (;;) {
      const rounds = await Promise.all(
        [a.store, b, c].map(async (s) => ({
          by: s.instanceId,
          rows: await s.uow.run((tx) => tx.outboxQueue.claimDue(now, 7), { quiet: true }),
        })),
      );
      if (rounds.every((r) => r.rows.length === 0)) break;
      for (const { by, rows } of rounds) {
        expect(rows.length).toBeLessThanOrEqual(7);
        for (const r of rows) {
          expect(taken.has(r.id), `row ${r.id} claimed twice`).toBe(false);
          taken.set(r.id, by);
        }
      }
    }
    expect(taken.size).toBe(60);
    const claimedBy = await query<{ claimed_by: string; n: string }>(
      a.store,
      "select claimed_by, count(*)::int as n from outbox group by claimed_by",
    );
    expect(claimedBy.reduce((sum, r) => sum + Number(r.n), 0)).toBe(60);
  });

  it("adopts a gone instance's claimed rows, once, and never a live instance's", async () => {
    await a.store.uow.run((tx) =>
      tx.outbox.enqueue(
        [1, 2].map((requestId) => ({
          kind: "dm" as const,
          recipient: OWNER,
          notice: { type: "request_card" as const, requestId },
        })),
        a.clock.now(),
      ),
    );
    const now = a.clock.now().getTime();
    const claimed = await b.uow.run((tx) => tx.outboxQueue.claimDue(now, 10), { quiet: true });
    expect(claimed).toHaveLength(2);
    const c = await instance();
    const adopt = (s: { uow: StoreUnitOfWork }) =>
      s.uow.run((tx) => tx.outboxQueue.adoptInFlight(), { quiet: true });
    // b is alive: its rows are its own, whatever their age.
    expect(await adopt(a.store)).toEqual([]);
    expect(await adopt(c)).toEqual([]);
    await b.close();
    // b is gone: of two instances looking at once, one takes each row.
    const [x, y] = await Promise.all([adopt(a.store), adopt(c)]);
    expect([...(x ?? []), ...(y ?? [])].map((r) => r.id).sort()).toEqual(claimed.map((r) => r.id));
    // And what b would still try to settle is no longer b's.
    await expect(adopt(a.store)).resolves.toEqual([]);
    b = await openPgStore((a.store as PgStore).url, TEST_PG);
  });

  it("runs named work on one instance at a time", async () => {
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let ran = 0;
    const first = a.store.exclusive("job:test", async () => {
      ran++;
      await held;
      return "first";
    });
    await until(async () => ran === 1, "the first to start");
    expect(await b.exclusive("job:test", async () => "second")).toBeUndefined();
    expect(await b.exclusive("job:other", async () => "other")).toBe("other");
    release();
    expect(await first).toBe("first");
    expect(await b.exclusive("job:test", async () => "second")).toBe("second");
  });

  it("claims a modal submission once across instances", async () => {
    const claim = (s: { uow: StoreUnitOfWork }) =>
      s.uow.run((tx) => tx.submissions.claim("V123", a.clock.now()));
    const both = await Promise.all([claim(a.store), claim(b)]);
    expect(both.sort()).toEqual([false, true]);
    expect(await claim(b)).toBe(false);
  });
});

describe.skipIf(!hasPostgres())("PostgreSQL verification cache across instances", () => {
  let url: string;
  let a: PgStore;
  let b: PgStore;
  let ctx: Ctx;
  const clock = new ManualClock();
  beforeEach(async () => {
    url = await fileDatabase();
    await emptyDatabase(url);
    // No time-based re-read: only notifications can make b see a change.
    a = await openPgStore(url, { ...TEST_PG, verify: { maxAgeMs: 3_600_000 } });
    b = await openPgStore(url, { ...TEST_PG, verify: { maxAgeMs: 3_600_000 } });
    ctx = { uow: a.uow, clock };
    await bootstrapOwners(ctx, [OWNER, OWNER2]);
    await addNickname(ctx, OWNER, { nickname: "acme", kind: "seller" });
  });
  afterEach(async () => {
    await a.close();
    await b.close();
  });

  const ask = (s: PgStore, key: string) =>
    verify(s.verify, clock.now(), { key, check: { nickname: "acme", api: "analytics" } });
  const answer = async (s: PgStore, key: string) => (await ask(s, key)).answer;
  const isPromise = (r: VerifyResult | Promise<VerifyResult>) => r instanceof Promise;
  /** Asks until b answers from its cache (a notification of the key's own creation may drop
   * the first read). */
  const cached = (s: PgStore, key: string) =>
    until(async () => {
      await answer(s, key);
      return !isPromise(ask(s, key));
    }, "the key to be cached");
  const newKey = async () =>
    createKey(ctx, OWNER, {
      name: `k${Math.random()}`,
      keyOwner: MEMBER,
      cells: [{ scope: "acme", api: "analytics" }],
      expiresAt: null,
    });

  it("answers a cached key without waiting, and stops an old secret once another instance commits", async () => {
    const { key, secret } = await newKey();
    expect(await answer(b, secret)).toMatchObject({ valid: true, allowed: true });
    await cached(b, secret);
    // Cached now: answered synchronously.
    const hit = ask(b, secret);
    expect(isPromise(hit)).toBe(false);
    expect((hit as VerifyResult).answer).toMatchObject({ allowed: true });
    await regenerateKey(ctx, OWNER, { keyId: key.id, grace: "none" });
    await until(
      async () => (await answer(b, secret)).valid === false,
      "b to refuse the old secret",
    );
    expect(await answer(b, secret)).toEqual({ valid: false, reason: "rotated" });
  });

  it("caches nothing while its listener is down, and trusts the cache again once back", async () => {
    const { key, secret } = await newKey();
    await cached(b, secret);
    // Cut b's listener: its session holds b's liveness lock (an advisory lock on its key).
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ pid: number }>(
        `select pid from pg_locks where locktype = 'advisory' and objsubid = 1 and granted
           and ((classid::bigint << 32) | objid::bigint) = $1::bigint`,
        [b.instanceId],
      );
      expect(rows).toHaveLength(1);
      await admin.query("select pg_terminate_backend($1)", [rows[0]?.pid]);
      await until(() => isPromise(ask(b, secret)), "b to stop trusting its cache");
      // A change now reaches no listener of b's; b reads the database instead.
      await disableKey(ctx, OWNER, { keyId: key.id, reason: "test" });
      expect(await answer(b, secret)).toEqual({ valid: false, reason: "disabled" });
      await cached(b, secret);
      expect(await answer(b, secret)).toEqual({ valid: false, reason: "disabled" });
    } finally {
      await admin.end();
    }
  });
});
