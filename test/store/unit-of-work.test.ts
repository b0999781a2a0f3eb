import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CHECKPOINT_EVERY_MS } from "../../src/store/checkpointer.ts";
import type { SqliteStore } from "../../src/store/index.ts";
import { type TestStore, testStore } from "../helpers/store.ts";
import { waitUntil } from "../helpers/wait.ts";

let t: TestStore<SqliteStore>;
beforeEach(async () => {
  t = await testStore();
});
afterEach(() => t.cleanup());

describe("the transaction runner", () => {
  it("tells the verification cache only about commits that changed something it reads", async () => {
    const invalidate = vi.spyOn(t.store.verify, "invalidate");
    const { uow } = t.store;
    // A job run with nothing due: nothing written, the cache keeps what it read.
    await uow.run(async (tx) => tx.grants.expiredAt(new Date()));
    expect(invalidate).not.toHaveBeenCalled();
    await uow.run(async (tx) =>
      tx.nicknames.insert({ nickname: "acme", kind: "seller", at: new Date(0), by: "U0OWNER1" }),
    );
    expect(invalidate).toHaveBeenCalledTimes(1);
    await uow.run(async (tx) => tx.signatures.claim("v0=ab", 1), { quiet: true });
    expect(invalidate).toHaveBeenCalledTimes(1);
    invalidate.mockRestore();
  });

  it("runs background transactions without waiting for the disk or another connection's lock", async () => {
    const db = t.store.writer.sqlite;
    const settings = () => ({
      synchronous: db.pragma("synchronous", { simple: true }),
      busy: db.pragma("busy_timeout", { simple: true }),
    });
    const normal = settings();
    expect(normal).toEqual({ synchronous: 2, busy: 5000 });
    expect(await t.store.uow.run(async () => settings(), { background: true })).toEqual({
      synchronous: 1,
      busy: 0,
    });
    expect(settings()).toEqual(normal);

    const other = new Database(t.path);
    other.exec("BEGIN IMMEDIATE");
    try {
      await expect(t.store.uow.run(async () => 1, { background: true })).rejects.toMatchObject({
        code: "SQLITE_BUSY",
      });
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    expect(settings()).toEqual(normal);
  });
});

describe("WAL checkpoints", () => {
  it("are never taken by the writer connection; a background thread copies the WAL into the file", async () => {
    expect(t.store.writer.sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
    for (let i = 0; i < 20; i++) {
      await t.store.uow.run(async (tx) => tx.signatures.claim(`v0=${i}`, i));
    }
    // The WAL-index (the -shm file, https://sqlite.org/walformat.html): mxFrame is the last
    // frame in the WAL, nBackfill how many frames a checkpoint has copied into the database.
    const walIndex = () => {
      const shm = readFileSync(`${t.path}-shm`);
      return { mxFrame: shm.readUInt32LE(16), nBackfill: shm.readUInt32LE(96) };
    };
    expect(walIndex().mxFrame).toBeGreaterThan(0);
    await waitUntil(
      () => walIndex().nBackfill === walIndex().mxFrame,
      "a checkpoint of every frame in the WAL",
    );
    // Once all is copied the next write starts the WAL over from its first frame.
    const before = walIndex().mxFrame;
    await t.store.uow.run(async (tx) => tx.signatures.claim("v0=again", 99));
    expect(walIndex().mxFrame).toBeLessThan(before);
  });

  it("come often enough for the WAL to start over between flushes, and the file is cut back after", () => {
    // On one-second timers for both, the WAL once grew by a flush every second for 24 s.
    expect(CHECKPOINT_EVERY_MS).toBeLessThanOrEqual(100);
    expect(t.store.writer.sqlite.pragma("journal_size_limit", { simple: true })).toBe(
      16 * 1024 * 1024,
    );
  });
});
