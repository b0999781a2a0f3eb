// The usage recorder pinned without timing: counts are handed over in slices that give the
// event loop back, written in bounded transactions with statements prepared once, and summed —
// across batches, and with counts kept from a batch that could not be written.
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DAY_MS, dayOf } from "../../src/domain/usage/days.ts";
import type { SqliteStore } from "../../src/store/index.ts";
import { UsageRecorder } from "../../src/store/usage-recorder.ts";
import { DEFAULT_CHUNK, WriteBehind } from "../../src/store/write-behind.ts";
import { rows } from "../helpers/db-rows.ts";
import { type TestStore, testStore } from "../helpers/store.ts";
import { loopTurns } from "../helpers/wait.ts";
import { watchWriter } from "../helpers/writer-watch.ts";

let t: TestStore<SqliteStore>;
beforeEach(async () => {
  t = await testStore();
});
afterEach(() => t.cleanup());

/** Keys inserted straight into the table: test data for bookkeeping, no domain rule involved. */
function seedKeys(n: number): number[] {
  const db = t.store.writer.sqlite;
  const insert = db.prepare(
    `insert into api_keys (public_id, name, key_owner, status, created_at, created_by, updated_at, updated_by)
     values (?, ?, 'U0OWNER1', 'active', 0, 'test', 0, 'test')`,
  );
  db.transaction(() => {
    for (let i = 0; i < n; i++) insert.run(`p${String(i).padStart(7, "0")}`, `key ${i}`);
  })();
  return db.prepare("select id from api_keys order by id").pluck().all() as number[];
}

const AT = new Date(1_700_000_000_000);
const ANALYTICS = { nickname: "acme", api: "analytics" as const };
const GRANT = { scope: "acme", api: "analytics" as const };
const total = (table: string) =>
  rows<{ n: number | null }>(t.store, `select sum(calls) as n from ${table}`)[0]?.n ?? 0;

/** Watches what the recorder hands its write-behind: the turn of the event loop of each row. */
function watchHandOver() {
  const turns = loopTurns();
  const at: number[] = [];
  const original = WriteBehind.prototype.record;
  const spy = vi.spyOn(WriteBehind.prototype, "record").mockImplementation(function (
    this: WriteBehind<unknown, unknown>,
    key,
    value,
  ) {
    at.push(turns.now());
    original.call(this, key, value);
  });
  return {
    rows: () => at.length,
    /** The most rows handed over in one turn. */
    mostInOneTurn: () => {
      const perTurn = new Map<number, number>();
      for (const turn of at) perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
      return Math.max(0, ...perTurn.values());
    },
    turns: () => new Set(at).size,
    stop() {
      spy.mockRestore();
      turns.stop();
    },
  };
}

describe("usage recording", () => {
  it("hands 5,000 keys' counts over in slices, and writes them in bounded transactions with statements prepared once", async () => {
    const ids = seedKeys(5_000);
    const recorder = new UsageRecorder(t.store.uow, { intervalMs: 60_000, sliceSize: 1_000 });
    for (const id of ids) recorder.record(id, AT, ANALYTICS, GRANT);

    const handOver = watchHandOver();
    const w = watchWriter(t.store);
    try {
      expect(await recorder.flush()).toBe(true);
      // 10,000 rows (per key: its day, and its one kind of allowed check), 1,000 a turn.
      expect(handOver.rows()).toBe(10_000);
      expect(handOver.mostInOneTurn()).toBe(1_000);
      expect(handOver.turns()).toBe(10);
      const firstFlush = w.prepared();
      for (const id of ids) recorder.record(id, AT, ANALYTICS, GRANT);
      expect(await recorder.flush()).toBe(true);

      // Prepared once for the connection (the upserts and the prunes), not per row or batch.
      expect(firstFlush).toBeLessThanOrEqual(4);
      expect(w.prepared()).toBe(firstFlush);
      // Bounded transactions, each begun in a later turn of the event loop than the last.
      const perFlush = Math.ceil(10_000 / DEFAULT_CHUNK);
      expect(w.transactions).toHaveLength(2 * perFlush);
      for (const tx of w.transactions) expect(tx.changes).toBeLessThanOrEqual(DEFAULT_CHUNK);
      for (let i = 1; i < w.transactions.length; i++) {
        expect(w.transactions[i]?.turn).toBeGreaterThan(w.transactions[i - 1]?.turn ?? 0);
      }
    } finally {
      w.stop();
      handOver.stop();
    }
    // Summed: two uses of each key, one row each.
    expect(rows(t.store, "select count(*) as n, sum(calls) as calls from key_daily_usage")).toEqual(
      [{ n: 5_000, calls: 10_000 }],
    );
    expect(total("grant_daily_usage")).toBe(10_000);
  });

  it("sums counts recorded while a batch could not be written (database locked) with the newer ones", async () => {
    const [id] = seedKeys(1) as [number];
    const errors: unknown[] = [];
    const recorder = new UsageRecorder(t.store.uow, {
      intervalMs: 60_000,
      retryMs: 60_000,
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 3; i++) recorder.record(id, AT, ANALYTICS, GRANT);
    const other = new Database(t.path);
    other.exec("BEGIN IMMEDIATE");
    expect(await recorder.flush()).toBe(false);
    expect((errors[0] as { code?: string }).code).toBe("SQLITE_BUSY");
    for (let i = 0; i < 2; i++) recorder.record(id, AT, ANALYTICS, GRANT);
    recorder.record(id, AT, { nickname: "acme", api: "products" }, null);
    other.exec("ROLLBACK");
    other.close();
    expect(await recorder.flush()).toBe(true);
    expect(recorder.waiting).toBe(0);
    expect(rows(t.store, "select day, calls, refused from key_daily_usage")).toEqual([
      { day: dayOf(AT), calls: 6, refused: 1 },
    ]);
    expect(
      rows(t.store, "select nickname, api, grant_scope, grant_api, calls from grant_daily_usage"),
    ).toEqual([
      { nickname: "acme", api: "analytics", grant_scope: "acme", grant_api: "analytics", calls: 5 },
    ]);
    await recorder.stop();
  });

  it("counts a use after midnight on the new day, and each slot under its own grant", async () => {
    const [id] = seedKeys(1) as [number];
    const recorder = new UsageRecorder(t.store.uow, { intervalMs: 60_000 });
    const late = new Date((dayOf(AT) + 1) * DAY_MS - 1);
    const early = new Date((dayOf(AT) + 1) * DAY_MS);
    recorder.record(
      id,
      late,
      { nickname: "aff", api: "orders:read" },
      { scope: "*", api: "orders:write" },
    );
    recorder.record(
      id,
      early,
      { nickname: "aff", api: "orders:read" },
      { scope: "aff", api: "orders:read" },
    );
    recorder.record(
      id,
      early,
      { nickname: "aff", api: "orders:read" },
      { scope: "aff", api: "orders:write" },
    );
    recorder.record(
      id,
      early,
      { nickname: "aff", api: "orders:read" },
      { scope: "*", api: "orders:read" },
    );
    recorder.record(id, early, undefined, null);
    expect(await recorder.flush()).toBe(true);
    expect(rows(t.store, "select day, calls, refused from key_daily_usage order by day")).toEqual([
      { day: dayOf(AT), calls: 1, refused: 0 },
      { day: dayOf(AT) + 1, calls: 4, refused: 0 },
    ]);
    expect(
      rows(
        t.store,
        "select day, grant_scope || ' ' || grant_api as g, calls from grant_daily_usage order by day, g",
      ),
    ).toEqual([
      { day: dayOf(AT), g: "* orders:write", calls: 1 },
      { day: dayOf(AT) + 1, g: "* orders:read", calls: 1 },
      { day: dayOf(AT) + 1, g: "aff orders:read", calls: 1 },
      { day: dayOf(AT) + 1, g: "aff orders:write", calls: 1 },
    ]);
    await recorder.stop();
  });
});
