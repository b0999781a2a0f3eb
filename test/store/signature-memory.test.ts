import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqliteStore } from "../../src/store/index.ts";
import { SignatureMemory } from "../../src/store/signature-memory.ts";
import { rows } from "../helpers/db-rows.ts";
import { type TestStore, testStore } from "../helpers/store.ts";
import { waitUntil } from "../helpers/wait.ts";
import { watchWriter } from "../helpers/writer-watch.ts";

let t: TestStore<SqliteStore>;
let unhandled: unknown[];
const onUnhandled = (e: unknown) => unhandled.push(e);
beforeEach(async () => {
  t = await testStore();
  unhandled = [];
  process.on("unhandledRejection", onUnhandled);
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
  t.cleanup();
});

const stored = () =>
  rows<{ n: number }>(t.store, "select count(*) as n from seen_signatures")[0]?.n ?? 0;
const NOW = Date.now();
const sig = (i: number) => `v0=${i.toString(16).padStart(64, "0")}`;

describe("the replay memory's write-behind", () => {
  it("keeps a batch that meets a locked database, never rejects, and writes it once the lock is gone", async () => {
    const errors: unknown[] = [];
    const memory = new SignatureMemory(t.store.uow, {
      flushMs: 5,
      retryMs: 10,
      onError: (e) => errors.push(e),
    });
    const other = new Database(t.path);
    other.exec("BEGIN IMMEDIATE");
    for (let i = 0; i < 50; i++) expect(memory.claim(sig(i), NOW)).toBe(true);

    // The timer's flush meets the lock (today's code: an unhandled rejection, batch lost).
    await waitUntil(() => errors.length + unhandled.length > 0, "the flush to meet the lock");
    expect(stored()).toBe(0);
    // Still refused in memory meanwhile: the batch was not forgotten.
    expect(memory.claim(sig(7), NOW)).toBe(false);

    other.exec("ROLLBACK");
    other.close();
    await waitUntil(() => stored() === 50, "the kept batch to be written");
    expect(unhandled).toEqual([]);
    expect((errors[0] as { code?: string }).code).toBe("SQLITE_BUSY");
    await memory.stop();
  });

  it("keeps a batch that meets a full database and writes it when there is room again", async () => {
    const errors: unknown[] = [];
    const memory = new SignatureMemory(t.store.uow, {
      flushMs: 5,
      retryMs: 10,
      onError: (e) => errors.push(e),
    });
    const db = t.store.writer.sqlite;
    const pages = db.pragma("page_count", { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    for (let i = 0; i < 2_000; i++) memory.claim(sig(i), NOW);

    await waitUntil(() => errors.length + unhandled.length > 0, "the flush to meet a full disk");
    expect((errors[0] as { code?: string }).code).toBe("SQLITE_FULL");
    const partial = stored();
    expect(partial).toBeLessThan(2_000);

    db.pragma("max_page_count = 1073741823");
    await waitUntil(() => stored() === 2_000, "the kept batch to be written");
    expect(unhandled).toEqual([]);
    await memory.stop();
  });

  it("writes what is waiting when it stops, and loads it again after a restart", async () => {
    const memory = new SignatureMemory(t.store.uow, { flushMs: 60_000 });
    for (let i = 0; i < 30; i++) memory.claim(sig(i), NOW);
    await memory.stop();
    expect(stored()).toBe(30);

    const again = new SignatureMemory(t.store.uow);
    await again.load(NOW);
    expect(again.claim(sig(3), NOW)).toBe(false);
    expect(again.claim(sig(30), NOW)).toBe(true);
    await again.stop();
  });

  it("forgets signatures past the window in memory and in the database, in bounded deletes", async () => {
    const keepMs = 6 * 60 * 1000;
    const memory = new SignatureMemory(t.store.uow, { flushMs: 60_000, chunkSize: 100 });
    for (let i = 0; i < 450; i++) memory.claim(sig(i), NOW - keepMs - 1000);
    for (let i = 450; i < 460; i++) memory.claim(sig(i), NOW);
    await memory.flush();
    expect(stored()).toBe(460);

    const w = watchWriter(t.store);
    try {
      await memory.prune(NOW);
    } finally {
      w.stop();
    }
    expect(stored()).toBe(10);
    expect(w.transactions.map((tx) => tx.changes)).toEqual([100, 100, 100, 100, 50]);
    expect(memory.claim(sig(1), NOW)).toBe(true);
    expect(memory.claim(sig(451), NOW)).toBe(false);
    await memory.stop();
  });
});
