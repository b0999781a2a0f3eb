// The digest's pass over every key, on its own thread with its own read-only connections: it
// finds what the same pass finds on the main thread, the app's digests go through it, and a
// scan that cannot read, or that the app stops, fails instead of hanging.
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKey } from "../../src/domain/keys/create.ts";
import { addNickname } from "../../src/domain/nicknames/add.ts";
import { buildDigest, digestFor } from "../../src/domain/oncall/digest.ts";
import { scanKeys } from "../../src/domain/oncall/key-scan.ts";
import { type KeyScanThread, keyScanThread } from "../../src/jobs/key-scan-thread.ts";
import { createLog } from "../../src/log.ts";
import type { PgStore } from "../../src/store/index.ts";
import { testApp } from "../helpers/app.ts";
import { DAY } from "../helpers/clock.ts";
import { hasPostgres } from "../helpers/pg.ts";
import { BACKENDS, MEMBER, OWNER, type TestStore, testStore } from "../helpers/store.ts";

const LEFT = "U0LEFT0001";
const people = { inWorkspace: async (u: string) => u !== LEFT };
const logs: string[] = [];
const log = createLog("debug", (l) => logs.push(l));

async function seed(t: Pick<TestStore, "ctx" | "clock">, keys: number): Promise<void> {
  await addNickname(t.ctx, OWNER, { nickname: "acme", kind: "seller" });
  for (let i = 0; i < keys; i++) {
    await createKey(t.ctx, OWNER, {
      name: `Key ${i}`,
      keyOwner: i % 3 === 0 ? MEMBER : i % 3 === 1 ? OWNER : LEFT,
      cells: [{ scope: i % 2 ? "acme" : "*", api: i % 4 ? "analytics" : "orders:write" }],
      expiresAt: i % 5 === 0 ? new Date(t.clock.now().getTime() + 3 * DAY) : null,
    });
  }
}

describe.each(BACKENDS)("the key-scan thread on %s", (backend) => {
  let t: TestStore;
  let thread: KeyScanThread;
  beforeEach(async () => {
    t = await testStore(backend);
    await seed(t, 25);
    t.clock.advance(100 * DAY);
    const database =
      t.store.backend === "postgres" ? { url: t.store.url } : { path: t.path as string };
    // Small pages, so that the thread reads several.
    thread = keyScanThread({ database, log, pageSize: 4 });
  });
  afterEach(async () => {
    await thread.stop();
    await t.cleanup();
  });

  it("finds what the same scan finds on the main thread, and the digest is the same", async () => {
    const now = t.clock.now();
    const there = await thread.scan(now);
    const here = await scanKeys(t.ctx, now, { pageSize: 4 });
    expect(there).toEqual(here);
    expect(there.unused.count).toBe(25);
    expect(there.byOwner.get(LEFT)?.count).toBe(8);
    expect(there.expiring.count).toBe(0);

    const threaded = await buildDigest({ ...t.ctx, keyScanner: thread.scan }, people);
    expect(threaded).toEqual(await buildDigest(t.ctx, people));
    expect(threaded.sections.find((s) => s.title.startsWith("Key owner no longer"))?.title).toBe(
      "Key owner no longer in the workspace (8)",
    );
    expect(thread.started).toBe(2);
  });

  it("lets digests asked for while a scan runs share it", async () => {
    const [a, b] = await Promise.all([thread.scan(t.clock.now()), thread.scan(t.clock.now())]);
    expect(thread.started).toBe(1);
    expect(b).toBe(a);
    await thread.scan(t.clock.now());
    expect(thread.started).toBe(2);
  });

  it("sees what was committed on the main connection before it started", async () => {
    await createKey(t.ctx, OWNER, {
      name: "Written just now",
      keyOwner: MEMBER,
      cells: [{ scope: "*", api: "orders:write" }],
      expiresAt: null,
    });
    const scan = await thread.scan(t.clock.now());
    expect(scan.wideWrite.count).toBe(8);
    expect(scan.unused.count).toBe(25);
  });
});

describe("the key-scan thread, failing", () => {
  it("refuses a database it cannot open, with the reason", async () => {
    // A folder that exists, a file that does not: SQLite itself refuses to open it read-only.
    const missing = join(tmpdir(), `keyward-missing-${process.pid}-${Date.now()}.db`);
    const thread = keyScanThread({ database: { path: missing }, log });
    const failed = await thread.scan(new Date()).catch((e: Error) => e);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toMatch(/the key scan failed: .*open/i);
    // The thread's own error travels as the cause, with its code.
    expect((failed as Error & { cause: { code?: string } }).cause.code).toBe("SQLITE_CANTOPEN");
  });

  it("starts no scan once stopped", async () => {
    const thread = keyScanThread({ database: { path: "/nonexistent/keyward.db" }, log });
    await thread.stop();
    await expect(thread.scan(new Date())).rejects.toThrow(/not started: stopping/);
    expect(thread.started).toBe(0);
  });

  it.runIf(hasPostgres())("ends a scan still waiting when the app stops it", async () => {
    const t = await testStore("postgres");
    const url = (t.store as PgStore).url;
    await seed(t, 3);
    const locker = new pg.Client({ connectionString: url });
    const watcher = new pg.Client({ connectionString: url });
    await locker.connect();
    await watcher.connect();
    try {
      await locker.query("begin");
      await locker.query("lock table api_keys in access exclusive mode");
      const thread = keyScanThread({ database: { url }, log });
      const scanning = thread.scan(t.clock.now());
      // The thread's read is waiting on the lock. (Asked outside the locker's transaction,
      // which would keep seeing the activity of its own first look.)
      let waiting = 0;
      for (let i = 0; i < 200 && waiting === 0; i++) {
        const r = await watcher.query<{ n: string }>(
          "select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%api_keys%' and pid <> pg_backend_pid()",
        );
        waiting = Number(r.rows[0]?.n);
        if (!waiting) await new Promise((r) => setTimeout(r, 25));
      }
      expect(waiting).toBe(1);
      await thread.stop();
      await expect(scanning).rejects.toThrow(/ended .* without answering/);
    } finally {
      await locker.query("rollback");
      await locker.end();
      await watcher.end();
      await t.cleanup();
    }
  });
});

describe("the app's digests", () => {
  it("scan the keys on the key-scan thread", async () => {
    const t = await testApp();
    try {
      await seed({ ctx: t.app.ctx, clock: t.clock }, 10);
      t.clock.advance(100 * DAY);
      const digest = await digestFor(t.app.ctx, OWNER, people);
      expect(t.app.keyScans?.started).toBe(1);
      expect(digest.sections[0]?.title).toBe("Unused for 90 days (10) — the first 8");
    } finally {
      await t.stop();
    }
  });
});
