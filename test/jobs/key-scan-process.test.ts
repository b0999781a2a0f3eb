// The digest's pass over every key, in its own process with its own read-only connections: it
// finds what the same pass finds on the main thread, the app's digests go through it, and a
// scan that cannot read, or that the app stops, fails instead of hanging.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKey } from "../../src/domain/keys/create.ts";
import { addNickname } from "../../src/domain/nicknames/add.ts";
import { buildDigest, digestFor } from "../../src/domain/oncall/digest.ts";
import { ownersIn } from "../../src/domain/oncall/key-owners.ts";
import { scanKeys } from "../../src/domain/oncall/key-scan.ts";
import { type KeyScanProcess, keyScanProcess } from "../../src/jobs/key-scan-process.ts";
import { createLog } from "../../src/log.ts";
import type { PgStore } from "../../src/store/index.ts";
import { testApp } from "../helpers/app.ts";
import { DAY } from "../helpers/clock.ts";
import { hasPostgres } from "../helpers/pg.ts";
import { BACKENDS, MEMBER, OWNER, type TestStore, testStore } from "../helpers/store.ts";
import { waitUntil } from "../helpers/wait.ts";

const LEFT = "U0LEFT0001";
const people = { inWorkspace: async (u: string) => u !== LEFT };
const logs: string[] = [];
const log = createLog("debug", (l) => logs.push(l));

interface Proc {
  pid: number;
  ppid: number;
  argv: string[];
}

/** Every process this test can see (Linux). */
function processes(): Proc[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        const argv = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0").slice(0, -1);
        return [{ pid: Number(d), ppid, argv }];
      } catch {
        return []; // gone meanwhile
      }
    });
}

/** The key-scan launchers this process started: shells named keyward-key-scan. */
function launchers(): Proc[] {
  return processes().filter(
    (p) => p.ppid === process.pid && p.argv[0] === "/bin/sh" && p.argv.includes("keyward-key-scan"),
  );
}

/** Scan processes running anywhere below this one (their parent is a launcher). */
function scansRunning(): Proc[] {
  const all = processes();
  const mine = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all)
      if (mine.has(p.ppid) && !mine.has(p.pid)) {
        mine.add(p.pid);
        grew = true;
      }
  }
  return all.filter(
    (p) =>
      mine.has(p.pid) &&
      p.argv[0] !== "/bin/sh" &&
      p.argv.some((a) => a.includes("key-scan-worker")),
  );
}

/** How the launchers this file's scanners ended have exited, from the log. */
function launcherExits(): Array<{ code: number | null; signal: string | null }> {
  return logs
    .map((l) => JSON.parse(l) as { msg: string; code: number | null; signal: string | null })
    .filter((l) => l.msg === "key-scan launcher exited")
    .map(({ code, signal }) => ({ code, signal }));
}

/**
 * A PostgreSQL store whose api_keys another connection holds locked, so that a scan waits on
 * it; `release` lets it through. Unlocked and cleaned up after `body` in any case.
 */
async function withKeysLocked(
  keys: number,
  body: (t: TestStore, url: string, release: () => Promise<void>) => Promise<void>,
): Promise<void> {
  const t = await testStore("postgres");
  const url = (t.store as PgStore).url;
  await seed(t, keys);
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  let held = false;
  const release = async () => {
    if (!held) return;
    held = false;
    await locker.query("rollback");
  };
  try {
    await locker.query("begin");
    await locker.query("lock table api_keys in access exclusive mode");
    held = true;
    await body(t, url, release);
  } finally {
    await release().catch(() => {});
    await locker.end();
    await t.cleanup();
  }
}

const SCHED_IDLE = 5;

/** Each thread's scheduling policy and nice value (Linux: fields 41 and 19 of its stat). */
function schedulingOfThreads(pid: number): Array<{ policy: number; nice: number }> {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { policy: Number(fields[38]), nice: Number(fields[16]) };
  });
}

function hasChrt(): boolean {
  try {
    execFileSync("chrt", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

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

describe.each(BACKENDS)("the key-scan process on %s", (backend) => {
  let t: TestStore;
  let scanner: KeyScanProcess;
  beforeEach(async () => {
    t = await testStore(backend);
    await seed(t, 25);
    t.clock.advance(100 * DAY);
    const database =
      t.store.backend === "postgres" ? { url: t.store.url } : { path: t.path as string };
    // Small pages, so that the process reads several.
    scanner = keyScanProcess({ database, log, pageSize: 4 });
  });
  afterEach(async () => {
    await scanner.stop();
    await t.cleanup();
  });

  it("finds what the same scan finds on the main thread, and the digest is the same", async () => {
    const now = t.clock.now();
    const there = await scanner.scan(now);
    const here = await scanKeys(t.ctx, now, { pageSize: 4 });
    expect(there).toEqual(here);
    expect(there.unused.count).toBe(25);
    expect([...ownersIn(there.keyOwners)]).toContain(LEFT);
    expect(there.expiring.count).toBe(0);

    const elsewhere = await buildDigest({ ...t.ctx, keyScanner: scanner.scan }, people);
    expect(elsewhere).toEqual(await buildDigest(t.ctx, people));
    expect(elsewhere.sections.find((s) => s.title.startsWith("Key owner no longer"))?.title).toBe(
      "Key owner no longer in the workspace (8)",
    );
    expect(scanner.started).toBe(2);
  });

  it("lets digests asked for while a scan runs share it", async () => {
    const [a, b] = await Promise.all([scanner.scan(t.clock.now()), scanner.scan(t.clock.now())]);
    expect(scanner.started).toBe(1);
    expect(b).toBe(a);
    await scanner.scan(t.clock.now());
    expect(scanner.started).toBe(2);
  });

  it("sees what was committed on the main connection before it started", async () => {
    await createKey(t.ctx, OWNER, {
      name: "Written just now",
      keyOwner: MEMBER,
      cells: [{ scope: "*", api: "orders:write" }],
      expiresAt: null,
    });
    const scan = await scanner.scan(t.clock.now());
    expect(scan.wideWrite.count).toBe(8);
    expect(scan.unused.count).toBe(25);
  });
});

describe("the key-scan process, failing", () => {
  it("refuses a database it cannot open, with the reason", async () => {
    // A folder that exists, a file that does not: SQLite itself refuses to open it read-only.
    const missing = join(tmpdir(), `keyward-missing-${process.pid}-${Date.now()}.db`);
    const scanner = keyScanProcess({ database: { path: missing }, log });
    const failed = await scanner.scan(new Date()).catch((e: Error) => e);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toMatch(/the key scan failed: .*open/i);
    // The process's own error travels as the cause, with its code.
    expect((failed as Error & { cause: { code?: string } }).cause.code).toBe("SQLITE_CANTOPEN");
    // An answer, even a failed one, leaves the launcher fit for the next scan.
    await expect(scanner.scan(new Date())).rejects.toThrow(/open/i);
    expect(scanner.launched).toBe(1);
    await scanner.stop();
  });

  it("fails the digest, not the server, when the launcher cannot be started", async () => {
    // A spawn failure (ENOENT here; EAGAIN at a process limit) is reported, then the writes
    // to it fail again: neither may be an unhandled error event.
    const scanner = keyScanProcess({ database: { path: "/x.db" }, log, shell: "/nonexistent/sh" });
    await expect(scanner.scan(new Date())).rejects.toThrow(/ENOENT/);
    await new Promise((r) => setTimeout(r, 100));
    await scanner.stop();
    expect(logs.some((l) => l.includes("the key-scan launcher failed"))).toBe(true);
  });

  it("fails the digest when the scan itself cannot be started", async () => {
    const scanner = keyScanProcess({
      database: { path: "/x.db" },
      log,
      execPath: "/nonexistent/node",
    });
    // The shell's "not found".
    await expect(scanner.scan(new Date())).rejects.toThrow(
      /the key-scan process ended \(status 127\) without answering/,
    );
    await scanner.stop();
  });

  it("starts no scan once stopped", async () => {
    const scanner = keyScanProcess({ database: { path: "/nonexistent/keyward.db" }, log });
    await scanner.stop();
    await expect(scanner.scan(new Date())).rejects.toThrow(/not started: stopping/);
    expect(scanner.started).toBe(0);
  });

  it.runIf(hasPostgres())("ends a scan still waiting when the app stops it", async () => {
    await withKeysLocked(3, async (t, url) => {
      const watcher = new pg.Client({ connectionString: url });
      await watcher.connect();
      try {
        process.env.SLACK_BOT_TOKEN = "xoxb-not-for-the-scan";
        process.env.NODE_OPTIONS = "--max-old-space-size=96";
        const scanner = keyScanProcess({ database: { url }, log });
        const scanning = scanner.scan(t.clock.now());
        delete process.env.SLACK_BOT_TOKEN;
        delete process.env.NODE_OPTIONS;
        // The process's read is waiting on the lock. (Asked outside the locker's transaction,
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
        // Every thread of the scan, V8's collector helpers among them, yields the CPU to the
        // server's: SCHED_IDLE where chrt can set it (it can here), nice 19 otherwise. The
        // server's own threads keep their priority.
        // Started by the launcher, not by the server.
        const [scanProc] = scansRunning();
        const [launcher] = launchers();
        expect(scanProc?.ppid).toBe(launcher?.pid);
        const scanPid = scanProc?.pid;
        expect(scanPid).toBeDefined();
        const scanThreads = schedulingOfThreads(scanPid as number);
        expect(scanThreads.length).toBeGreaterThan(3);
        const idle = hasChrt() ? { policy: SCHED_IDLE, nice: 0 } : { policy: 0, nice: 19 };
        expect(scanThreads).toEqual(scanThreads.map(() => idle));
        expect(schedulingOfThreads(process.pid)).toContainEqual({ policy: 0, nice: 0 });
        expect(
          schedulingOfThreads(process.pid).filter((t) => t.policy === SCHED_IDLE || t.nice === 19),
        ).toEqual([]);
        // The launcher has the same priority, so each scan has it from its start.
        expect(schedulingOfThreads(launcher?.pid as number)).toEqual([idle]);
        // Neither sees the server's secrets.
        for (const pid of [scanPid, launcher?.pid]) {
          const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
          expect(environ.some((v) => v.startsWith("PATH="))).toBe(true);
          expect(environ.filter((v) => /^(SLACK_|VERIFY_API_TOKEN|NODE_OPTIONS)/.test(v))).toEqual(
            [],
          );
        }
        const ended = expect(scanning).rejects.toThrow(/ended: the app is stopping/);
        await scanner.stop();
        await ended;
        await waitUntil(() => scansRunning().length === 0, "no scan left running");
        expect(launchers()).toEqual([]);
      } finally {
        await watcher.end();
      }
    });
  });
});

describe("the launcher", () => {
  it("is the one process the server starts: once, at the start; every scan comes from it", async () => {
    const t = await testStore("sqlite");
    try {
      await seed(t, 5);
      const scanner = keyScanProcess({ database: { path: t.path as string }, log });
      // Started with the scanner, before any digest: while the server is small, a fork is cheap.
      expect(scanner.launched).toBe(1);
      await waitUntil(() => launchers().length === 1, "the launcher");
      const [launcher] = launchers();
      // Back to back: each request reaches only its own scan, never the one that is ending.
      for (let i = 0; i < 5; i++)
        expect((await scanner.scan(t.clock.now())).wideWrite.count).toBe(2);
      expect(scanner.started).toBe(5);
      expect(scanner.launched).toBe(1);
      expect(launchers()).toEqual([launcher]);
      await scanner.stop();
      expect(launchers()).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });

  it("is started again by the next scan when it has ended meanwhile", async () => {
    const t = await testStore("sqlite");
    try {
      await seed(t, 5);
      const scanner = keyScanProcess({ database: { path: t.path as string }, log });
      await waitUntil(() => launchers().length === 1, "the launcher");
      const [launcher] = launchers();
      process.kill(launcher?.pid as number, "SIGKILL");
      await waitUntil(() => launchers().length === 0, "the launcher gone");
      await new Promise((r) => setTimeout(r, 50));
      expect(logs.some((l) => l.includes("the key-scan launcher ended"))).toBe(true);
      expect((await scanner.scan(t.clock.now())).unused.count).toBe(0);
      expect(scanner.launched).toBe(2);
      await scanner.stop();
    } finally {
      await t.cleanup();
    }
  });

  it.runIf(hasPostgres())(
    "fails the digests of a scan that ends without answering, and is replaced",
    async () => {
      await withKeysLocked(3, async (t, url, release) => {
        const scanner = keyScanProcess({ database: { url }, log });
        const scanning = scanner.scan(t.clock.now());
        await waitUntil(() => scansRunning().length === 1, "the scan");
        const [scanProc] = scansRunning();
        process.kill(scanProc?.pid as number, "SIGKILL");
        await expect(scanning).rejects.toThrow(
          /the key-scan process ended \(status 137\) without answering/,
        );
        await release();
        expect((await scanner.scan(t.clock.now())).wideWrite.count).toBe(1);
        expect(scanner.launched).toBe(2);
        await scanner.stop();
      });
    },
  );
});

describe("a scan past its deadline", () => {
  it.runIf(hasPostgres())("is ended, and its digests fail saying why", async () => {
    await withKeysLocked(0, async (t, url, release) => {
      // Long enough for the scan after it to start and answer on a busy machine (a new
      // launcher, node, a connection, all at the lowest priority: 1.5 s was sometimes short).
      const scanner = keyScanProcess({ database: { url }, log, deadlineMs: 5000 });
      const exitedBefore = launcherExits().length;
      const first = scanner.scan(t.clock.now());
      const second = scanner.scan(t.clock.now());
      await expect(first).rejects.toThrow(/took longer than 5\.0 s .*database lock.*ended/);
      await expect(second).rejects.toThrow(/took longer than/);
      await waitUntil(() => scansRunning().length === 0, "no scan left running");
      // The launcher reaped its scan and exited by itself (not killed): a scan orphaned by
      // killing its launcher first is a zombie where the server is PID 1.
      await waitUntil(() => launcherExits().length > exitedBefore, "the launcher's exit");
      expect(launcherExits().slice(exitedBefore)).toEqual([{ code: 0, signal: null }]);
      await release();
      // The next digest starts a scan of its own, which answers.
      const scan = await scanner.scan(t.clock.now());
      expect(scan.unused.count).toBe(0);
      expect(scanner.started).toBe(2);
      // The launcher was ended with the scan (its channel may hold the late request or a
      // half-sent answer): the next scan had a new one.
      expect(scanner.launched).toBe(2);
      await scanner.stop();
    });
  });
});

describe("the app's digests", () => {
  it("scan the keys on the key-scan process", async () => {
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
