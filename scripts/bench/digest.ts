// npm run bench:digest [-- --db postgres] [-- --keys 100000] — how long the weekly digest holds
// the server's event loop. A Keyward server (no Slack, its verification API up) runs in its
// own process on a database seeded with KEYS keys (three grants each); on request it builds
// the digest and reports, from inside that process, the event-loop delay (max, p99) while the
// digest was being built, how busy the main thread's loop was meanwhile, and how long the build
// took. The server runs from the dist/ bundle, as npm start runs Keyward. The ways are measured
// in the same process, alternating: the baseline (the same measurement while nothing is
// built: a virtual machine's timers are late on their own), the digest as shipped (the pass over
// every key in the key-scan process, with connections of its own; BENCH_WAYS=thread names it)
// and, for comparison, the same pass on the main thread (keys read in pages of DIGEST_PAGE, the
// loop given a turn between pages: an earlier version); with BENCH_WAYS=whole, one read of every key and grant in one transaction (the
// first version). The keys belong to BENCH_KEY_OWNERS people (2,000; one in twenty has left).
// Figures depend on the machine; say which one.
import { execFileSync, fork } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openPgStore } from "../../src/store/pg/index.ts";
import { startFlags } from "./child.ts";
import { loadRound, pickTool, type Round } from "./load.ts";
import { type MainThreadWaits, mainThreadWaits, perfAvailable, recordSched } from "./sched.ts";
import { seedBulk } from "./seed.ts";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const KEYS = Number(arg("keys") ?? 100_000);
// The people the keys belong to: the digest lists per owner which ones left, and that index
// crosses from the scan process (one owner, as before, hid its size).
const KEY_OWNERS = Number(process.env.BENCH_KEY_OWNERS ?? 2000);
const DB = arg("db") === "postgres" ? "postgres" : "sqlite";
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
// BENCH_LOAD_CONNECTIONS=<n> (SQLite): verification calls from wrk (or autocannon) on n
// connections during each way, as a service would make them while a digest is built; their
// latency is what a client sees of the build.
const LOAD = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 0);
const LOAD_SECONDS = 4;
// BENCH_SCHED=1: record the scheduler with perf while the ways run, and report how long the
// server's main thread waited for a CPU in each (scripts/bench/sched.ts).
const SCHED = process.env.BENCH_SCHED === "1";

import type { Figures } from "./digest-server.ts";

/** 100,000 keys with three grants each, straight into PostgreSQL. */
async function seedPostgres(url: string, keys: number, owners: number): Promise<void> {
  const store = await openPgStore(url, { poolSize: 1 });
  await store.close();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`insert into roles (user_id, role, added_at, added_by)
      values ('U0BENCH01', 'owner', now(), 'bench')`);
    await c.query(`insert into nicknames (nickname, kind, created_at, created_by)
      select 'nick' || i, (array['seller','affiliate','both'])[1 + i % 3], now(), 'bench'
      from generate_series(0, 199) i`);
    await c.query(
      `insert into api_keys (public_id, name, key_owner, status, secret_hash, created_at,
        created_by, updated_at, updated_by)
      select lpad(to_hex(i), 8, '0'), 'key ' || i, 'U0BENCH' || (i % $2::int), 'active', md5(i::text) || md5('s' || i),
        now() - interval '100 days', 'bench', now(), 'bench'
      from generate_series(1, $1::int) i`,
      [keys, owners],
    );
    await c.query(`insert into grants (key_id, nickname_id, api, created_at, created_by)
      select k.id, g.nick, g.api, now(), 'bench' from api_keys k
      cross join lateral (values
        ((select id from nicknames where nickname = 'nick' || (k.id % 200)), 'analytics'),
        ((select id from nicknames where nickname = 'nick' || ((k.id * 7 + 3) % 200)), 'orders:read'),
        (null::int, 'orders:write')) g(nick, api)`);
    // Statistics, as autovacuum would gather them on a live database.
    await c.query("analyze");
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const env: Record<string, string> = {
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    VERIFY_API_TOKEN: "bench-verify-token-0123456789",
  };
  let cleanup = async () => {};
  let bodies: string[] = [];
  const started = Date.now();
  if (DB === "postgres") {
    const serverUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
    const name = `kwbench_${Date.now()}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    await seedPostgres(env.DATABASE_URL, KEYS, KEY_OWNERS);
    cleanup = async () => {
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), "keyward-bench-digest-"));
    env.DATABASE_PATH = join(dir, "keyward.db");
    const seeded = await seedBulk(env.DATABASE_PATH, {
      keys: KEYS,
      nicknames: 200,
      sample: LOAD ? 1000 : 1,
      owners: ["U0BENCH01"],
      keyOwners: KEY_OWNERS,
    });
    // For BENCH_LOAD_CONNECTIONS: calls a key may make, and calls it may not.
    bodies = seeded.sample.flatMap((k) => [
      JSON.stringify({ key: k.secret, nickname: k.nickname, api: k.api }),
      JSON.stringify({ key: k.secret, nickname: k.deniedNickname, api: "subscriptions:write" }),
    ]);
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${DB}: seeded ${KEYS} keys in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // Keyward runs as npm start runs it: the esbuild bundle on plain node (not tsx), its key-scan
  // thread the bundled worker beside it.
  execFileSync(process.execPath, ["scripts/build.mjs", "--bench"], { stdio: "inherit" });
  const port = 4600 + Math.floor(Math.random() * 400);
  env.PORT = String(port);
  const bodiesPath = join(tmpdir(), `keyward-digest-bodies-${port}.txt`);
  if (LOAD) {
    if (DB !== "sqlite") throw new Error("BENCH_LOAD_CONNECTIONS: SQLite only");
    writeFileSync(bodiesPath, `${bodies.join("\n")}\n`);
  }
  const tool = pickTool();
  const child = fork("dist/bench-digest-server.mjs", [], {
    env: {
      PATH: process.env.PATH ?? "",
      BENCH_SHOW_BLOCKS: process.env.BENCH_SHOW_BLOCKS ?? "",
      ...env,
    },
    // BENCH_NODE_FLAGS: extra flags for the server (e.g. "--trace-gc" or "--cpu-prof").
    // npm start's flags (the young generation's size changes what a collection costs).
    execArgv: [
      ...startFlags(),
      ...(process.env.BENCH_NODE_FLAGS?.split(" ").filter(Boolean) ?? []),
    ],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = <T>() => new Promise<T>((resolve) => child.once("message", (m: T) => resolve(m)));
  try {
    await next<string>();
    const rows: Array<Figures & { load?: Round; waits?: MainThreadWaits }> = [];
    if (SCHED && !perfAvailable())
      throw new Error("BENCH_SCHED=1 needs perf (apt-get install linux-perf)");
    const schedFile = join(tmpdir(), `keyward-digest-sched-${port}.data`);
    const sched = SCHED ? recordSched(schedFile) : undefined;
    if (LOAD)
      console.log(`load: ${tool}, ${LOAD} connections, ${LOAD_SECONDS} s from each way's start`);
    for (let i = 0; i < RUNS; i++) {
      // BENCH_WAYS=idle,thread: the baseline and the shipped way alone (another way's garbage
      // can burden the next run); "main": the same scan on the main thread (the previous
      // version); "whole": one read.
      for (const way of (process.env.BENCH_WAYS ?? "idle,thread,main").split(",")) {
        child.send("mark");
        const figures = next<Figures>();
        const load = LOAD
          ? loadRound(tool, {
              url: `http://127.0.0.1:${port}`,
              connections: LOAD,
              seconds: LOAD_SECONDS,
              bodies: bodiesPath,
              token: env.VERIFY_API_TOKEN as string,
            })
          : undefined;
        child.send(way);
        rows.push({ ...(await figures), load: await load });
      }
    }
    if (sched) {
      await sched.stop();
      const waits = mainThreadWaits(schedFile, child.pid as number, rows);
      rows.forEach((r, i) => {
        r.waits = waits[i];
      });
      rmSync(schedFile, { force: true });
    }
    const f = (n: number) => n.toFixed(1).padStart(8);
    const loadHead = LOAD
      ? ` ${"req/s".padStart(8)} ${"call p50".padStart(8)} ${"call p99".padStart(8)} ${"call max".padStart(8)}`
      : "";
    const schedHead = SCHED
      ? ` ${"wait max".padStart(8)} ${"waits>2".padStart(7)} ${"own ms".padStart(7)} ${"other ms".padStart(8)}`
      : "";
    console.log(
      `${"way".padEnd(34)} ${"build ms".padStart(8)} ${"busy".padStart(6)} ${"held ms".padStart(8)} ${"max ms".padStart(8)} ${"p99 ms".padStart(8)}${loadHead}${schedHead}`,
    );
    for (const r of rows) {
      const l = r.load;
      const loadCols = l
        ? ` ${l.rps.toFixed(0).padStart(8)} ${f(l.p50)} ${f(l.p99)} ${f(l.max)}`
        : "";
      const w = r.waits;
      const schedCols = w
        ? ` ${f(w.maxWaitMs)} ${String(w.over2ms).padStart(7)} ${w.behindOwnMs.toFixed(0).padStart(7)} ${w.behindOthersMs.toFixed(0).padStart(8)}`
        : "";
      console.log(
        `${r.way.padEnd(34)} ${f(r.ms)} ${`${(r.busy * 100).toFixed(0)}%`.padStart(6)} ${f(r.longestBusyMs)} ${f(r.maxDelayMs)} ${f(r.p99DelayMs)}${loadCols}${schedCols}`,
      );
    }
    console.log(
      "(inside the server process while the digest was built: busy, the main loop's utilization; held, the longest it was busy between two ticks of a 1 ms timer; max and p99, how late those ticks were)",
    );
    if (SCHED)
      console.log(
        "(from perf sched: wait max, the longest the main thread waited for a CPU once woken; waits>2, how many waits were over 2 ms; own ms and other ms, how long of those waits the CPU ran the server's other threads (V8's and libuv's helpers) or other processes (the key-scan process among them))",
      );
    child.send("stop");
    await new Promise((resolve) => child.once("exit", resolve));
  } finally {
    rmSync(bodiesPath, { force: true });
    await cleanup();
  }
}

await main();
