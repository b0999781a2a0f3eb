import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqliteStore } from "../../src/store/index.ts";
import { LastUsedRecorder } from "../../src/store/last-used.ts";
import { DEFAULT_CHUNK } from "../../src/store/write-behind.ts";
import { rows } from "../helpers/db-rows.ts";
import { type TestStore, testStore } from "../helpers/store.ts";
import { waitUntil } from "../helpers/wait.ts";
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

const usedCount = () =>
  rows<{ n: number }>(
    t.store,
    "select count(*) as n from api_keys where last_used_at is not null",
  )[0]?.n;

describe("last-use recording", () => {
  it("flushes 5,000 uses with one prepared statement, in bounded transactions that each give the event loop back", async () => {
    const ids = seedKeys(5_000);
    const recorder = new LastUsedRecorder(t.store.uow, 60_000);
    const at = new Date(1_700_000_000_000);
    for (const id of ids) recorder.record(id, at);

    const w = watchWriter(t.store);
    try {
      expect(await recorder.flush()).toBe(true);
      const firstFlush = w.prepared();
      for (const id of ids) recorder.record(id, new Date(at.getTime() + 1000));
      expect(await recorder.flush()).toBe(true);

      // Prepared once for the connection, not once per key (or per flush).
      expect(firstFlush).toBeLessThanOrEqual(1);
      expect(w.prepared()).toBe(firstFlush);
      // Bounded transactions: a flush of any size holds the loop for one chunk at most.
      expect(w.transactions).toHaveLength(2 * Math.ceil(5_000 / DEFAULT_CHUNK));
      for (const tx of w.transactions) expect(tx.changes).toBeLessThanOrEqual(DEFAULT_CHUNK);
      expect(w.transactions.reduce((n, tx) => n + tx.changes, 0)).toBe(10_000);
      // Within a flush, each transaction began in a later turn of the event loop than the one
      // before it.
      const perFlush = Math.ceil(5_000 / DEFAULT_CHUNK);
      for (let i = 1; i < w.transactions.length; i++) {
        if (i === perFlush) continue;
        expect(w.transactions[i]?.turn).toBeGreaterThan(w.transactions[i - 1]?.turn ?? 0);
      }
    } finally {
      w.stop();
    }
    expect(
      rows(t.store, "select id from api_keys where last_used_at = ?", at.getTime() + 1000),
    ).toHaveLength(5_000);
  });

  it("keeps the latest use of a key and never moves last_used_at backwards", async () => {
    const [a, b] = seedKeys(2) as [number, number];
    t.store.writer.sqlite.prepare("update api_keys set last_used_at = 5000 where id = ?").run(b);
    const recorder = new LastUsedRecorder(t.store.uow, 60_000);
    recorder.record(a, new Date(3000));
    recorder.record(a, new Date(2000));
    recorder.record(b, new Date(4000));
    await recorder.flush();
    expect(rows(t.store, "select id, last_used_at from api_keys order by id")).toEqual([
      { id: a, last_used_at: 3000 },
      { id: b, last_used_at: 5000 },
    ]);
  });

  it("keeps uses it could not write (database locked) and writes them once it can", async () => {
    const ids = seedKeys(500);
    const errors: unknown[] = [];
    const recorder = new LastUsedRecorder(t.store.uow, 60_000, (e) => errors.push(e), {
      retryMs: 10,
    });
    for (const id of ids) recorder.record(id, new Date(1000));

    // Another connection holds the write lock: the flush must neither wait on it nor lose
    // anything.
    const other = new Database(t.path);
    other.exec("BEGIN IMMEDIATE");
    expect(await recorder.flush()).toBe(false);
    expect(errors).toHaveLength(1);
    expect((errors[0] as { code?: string }).code).toBe("SQLITE_BUSY");
    expect(recorder.waiting).toBe(500);
    expect(usedCount()).toBe(0);

    other.exec("ROLLBACK");
    other.close();
    await waitUntil(() => usedCount() === 500, "the kept uses to be written");
    expect(recorder.waiting).toBe(0);
    await recorder.stop();
  });
});
