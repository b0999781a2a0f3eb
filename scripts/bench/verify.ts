// npm run bench:verify — what a client of /v1/verify sees under load, against a bare node:http
// server in the same run: throughput, latency, the server's event-loop delay and peak RSS.
// Seeds 100,000 keys over 200 nicknames; each server runs in its own process, and the load
// comes from another (wrk, or autocannon when wrk is not installed), at 8 and 32 connections,
// in alternating rounds. See the README's Performance section for how to read it.
// `-- --db postgres`: the same keys are copied into a scratch PostgreSQL database (DATABASE_URL
// names the server; default the local one) and a second Keyward server on it is measured in
// the same rounds, beside the SQLite one and the bare server.
import { type ChildProcess, execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { newPublicId, newSecret } from "../../src/domain/secrets.ts";
import { type Child, fmt, startChild, startFlags, waitForHttp } from "./child.ts";
import { cpuBetween, sampleCpu } from "./cpu.ts";
import { type LoadSpec, loadRound, pickTool, type Round } from "./load.ts";
import { LOOP_DELAY_REQUEST, type LoopDelay } from "./loop-delay.ts";
import { seedBulk } from "./seed.ts";
import { copyToPostgres } from "./seed-pg.ts";

const WITH_POSTGRES = process.argv.includes("postgres") && process.argv.includes("--db");
/** Drops the scratch PostgreSQL database (set once it exists). */
let dropPg = async () => {};

const KEYS = Number(process.env.BENCH_KEYS ?? 100_000);
const NICKNAMES = 200;
const SAMPLE = 1_000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? "8,32").split(",").map(Number);
const TOKEN = "bench-verify-token-0123456789";
const TARGET = { p99: 5, loopMax: 10, ratio: 0.7, rssMb: 200 };

const dir = mkdtempSync(join(tmpdir(), "keyward-bench-"));
const started: Child[] = [];
const dbPath = join(dir, "bench.db");
const bodiesPath = join(dir, "bodies.txt");

async function seed() {
  const seeded = await seedBulk(dbPath, { keys: KEYS, nicknames: NICKNAMES, sample: SAMPLE });
  console.log(`seeded ${KEYS} keys over ${NICKNAMES} nicknames in ${seeded.seconds.toFixed(1)} s`);
  return seeded.sample;
}

/** Today's mix: valid+allowed, valid+not permitted, bad checksum, unknown (well-formed) key. */
function bodies(sample: Awaited<ReturnType<typeof seed>>): string[] {
  const out: string[] = [];
  for (const [i, s] of sample.entries()) {
    out.push(JSON.stringify({ key: s.secret, nickname: s.nickname, api: s.api }));
    out.push(
      JSON.stringify({ key: s.secret, nickname: s.deniedNickname, api: "subscriptions:write" }),
    );
    if (i % 4 === 1) {
      const bad = s.secret.slice(0, -1) + (s.secret.endsWith("A") ? "B" : "A");
      out.push(JSON.stringify({ key: bad, nickname: s.nickname, api: s.api }));
    }
    if (i % 4 === 3)
      out.push(JSON.stringify({ key: newSecret(newPublicId()), nickname: s.nickname, api: s.api }));
  }
  return out;
}

/** The server's event-loop delay since the last ask (the histogram restarts each time). */
function loopDelay(proc: ChildProcess): Promise<LoopDelay> {
  return new Promise((resolveDelay) => {
    const onMessage = (m: unknown) => {
      if (typeof m === "object" && m !== null && "loopDelay" in m) {
        proc.off("message", onMessage);
        resolveDelay((m as { loopDelay: LoopDelay }).loopDelay);
      }
    };
    proc.on("message", onMessage);
    proc.send(LOOP_DELAY_REQUEST);
  });
}

interface Server {
  url: string;
  child: Child;
}

interface Measured extends Round {
  loop: LoopDelay;
  cpu: ReturnType<typeof cpuBetween>;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const worst = (xs: number[]) => Math.max(...xs);
const verdict = (ok: boolean) => (ok ? "met" : "MISSED");

async function main() {
  const tool = pickTool();
  console.log(
    `load generator: ${tool === "wrk" ? "wrk (one thread, verify.lua)" : `autocannon in a child process (${process.env.BENCH_LOAD === "autocannon" ? "BENCH_LOAD=autocannon" : "wrk not found"})`}`,
  );
  const idle = sampleCpu(process.pid);
  await new Promise((r) => setTimeout(r, 1000));
  const quiet = cpuBetween(idle, sampleCpu(process.pid));
  console.log(
    `machine: ${cpus().length} CPUs; before the run, other processes used ${fmt(quiet.others + quiet.steal)} CPUs (load average ${loadavg()
      .map((l) => fmt(l))
      .join(" ")})`,
  );

  // BENCH_REUSE=<file>: reuse a seeded database and bodies saved there by an earlier run.
  const reuse = process.env.BENCH_REUSE;
  let payloads: string[];
  if (reuse && existsSync(reuse)) {
    payloads = JSON.parse(readFileSync(reuse, "utf8"));
    copyFileSync(`${reuse}.db`, dbPath);
    console.log(`reusing ${reuse}.db (${KEYS} keys expected)`);
  } else {
    payloads = bodies(await seed());
    if (reuse) {
      writeFileSync(reuse, JSON.stringify(payloads));
      // The seeded rows may still be in the WAL (its checkpointing thread closes after the
      // writer): fold them into the file before copying it, or the copy holds no keys.
      const settle = new Database(dbPath);
      settle.pragma("wal_checkpoint(TRUNCATE)");
      settle.close();
      copyFileSync(dbPath, `${reuse}.db`);
    }
  }
  writeFileSync(bodiesPath, `${payloads.join("\n")}\n`);

  // BENCH_CPU_PROF=<dir>: write a V8 CPU profile of Keyward's process there when it stops.
  const profDir = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
  if (profDir) mkdirSync(profDir, { recursive: true });
  const port = 4100 + Math.floor(Math.random() * 500);
  const kwUrl = `http://127.0.0.1:${port}`;
  // Keyward runs as npm start runs it: the esbuild bundle on plain node (not tsx).
  execFileSync(process.execPath, ["scripts/build.mjs", "--bench"], { stdio: "inherit" });
  console.log(`keyward: the dist/ bundle on node ${startFlags().join(" ")}, as npm start runs it`);
  const kwChild = await startChild(
    "dist/bench-verify-server.mjs",
    {
      VERIFY_API_TOKEN: TOKEN,
      DATABASE_PATH: dbPath,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
    },
    () => waitForHttp(`${kwUrl}/healthz`),
    [
      ...startFlags(),
      ...(profDir ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : []),
      // BENCH_NODE_FLAGS="--trace-gc …": more flags for Keyward's process, to look into a pause.
      ...(process.env.BENCH_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? []),
    ],
  );
  started.push(kwChild);
  let pgServer: Server | undefined;
  if (WITH_POSTGRES) {
    const t0 = Date.now();
    const copy = await copyToPostgres(
      dbPath,
      process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
      `kwbench_${Date.now()}`,
    );
    dropPg = copy.drop;
    console.log(`copied into PostgreSQL in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const pgUrl = `http://127.0.0.1:${port + 2}`;
    const pgChild = await startChild(
      "dist/bench-verify-server.mjs",
      {
        VERIFY_API_TOKEN: TOKEN,
        DATABASE_URL: copy.url,
        PORT: String(port + 2),
        HOST: "127.0.0.1",
        LOG_LEVEL: "warn",
      },
      () => waitForHttp(`${pgUrl}/healthz`),
      startFlags(),
    );
    started.push(pgChild);
    pgServer = { url: pgUrl, child: pgChild };
  }
  const bareChild = await startChild(
    "scripts/bench/bare-server.ts",
    { PORT: String(port + 1) },
    (p) => new Promise((r) => p.once("message", () => r())),
  );
  started.push(bareChild);
  const kw: Server = { url: kwUrl, child: kwChild };
  const bare: Server = { url: `http://127.0.0.1:${port + 1}`, child: bareChild };

  const measure = async (s: Server, connections: number, seconds: number) => {
    const spec: LoadSpec = { url: s.url, connections, seconds, bodies: bodiesPath, token: TOKEN };
    const pid = s.child.proc.pid as number;
    await loopDelay(s.child.proc);
    const before = sampleCpu(pid);
    const round = await loadRound(tool, spec);
    const cpu = cpuBetween(before, sampleCpu(pid));
    return { ...round, loop: await loopDelay(s.child.proc), cpu };
  };

  const results = new Map<number, { kw: Measured[]; pg: Measured[]; bare: Measured[] }>();
  // The WAL file only grows (SQLite reuses it from the start after a checkpoint), so its size
  // before the load, left by the seeding, is the baseline for what the load added.
  const walSize = () =>
    existsSync(`${dbPath}-wal`) ? statSync(`${dbPath}-wal`).size / 1048576 : 0;
  const walBefore = walSize();
  for (const connections of CONNECTIONS) {
    // Warm both up (JIT, SQLite page cache), then alternate rounds, swapping which goes first,
    // so that both see the same machine: on a shared VM throughput drifts minute to minute.
    await measure(kw, connections, 3);
    if (pgServer) await measure(pgServer, connections, 3);
    await measure(bare, connections, 2);
    const r = { kw: [] as Measured[], pg: [] as Measured[], bare: [] as Measured[] };
    const pgRound = async () => {
      if (pgServer) r.pg.push(await measure(pgServer, connections, SECONDS));
    };
    for (let i = 0; i < ROUNDS; i++) {
      if (i % 2 === 0) {
        r.kw.push(await measure(kw, connections, SECONDS));
        await pgRound();
        r.bare.push(await measure(bare, connections, SECONDS));
      } else {
        r.bare.push(await measure(bare, connections, SECONDS));
        await pgRound();
        r.kw.push(await measure(kw, connections, SECONDS));
      }
    }
    results.set(connections, r);
  }
  const rss = { kw: kw.child.peakRssMb(), bare: bare.child.peakRssMb() };
  const kwMemory = (await loopDelay(kw.child.proc)).memory;
  const walMb = walSize();
  const pgRss = pgServer?.child.peakRssMb();
  await kw.child.stop();
  await pgServer?.child.stop();
  await bare.child.stop();
  await dropPg();

  console.log(
    `\n/v1/verify, ${KEYS} keys, ${payloads.length} distinct bodies, load by ${tool}; ${ROUNDS} alternating rounds of ${SECONDS} s per server and connection count`,
  );
  console.log(
    "latency: what the client saw; loop delay: measured inside the server (monitorEventLoopDelay, 1 ms resolution); CPUs: used during the round by the server, the load generator and all other processes (+ steal); * = other processes used over 0.15 CPU in that round or its pair: the machine was shared, figures are noisy",
  );
  const row = (round: string, label: string, m: Measured, ratio?: number) =>
    `${round.padEnd(7)}${label.padEnd(11)}${fmt(m.rps, 0).padStart(7)} ${(ratio === undefined ? "" : fmt(ratio)).padStart(6)}  ${fmt(m.p50).padStart(6)} ${fmt(m.p99).padStart(7)} ${fmt(m.max).padStart(7)}   ${fmt(m.loop.p99).padStart(6)} ${fmt(m.loop.max).padStart(7)}   ${fmt(m.cpu.server).padStart(5)} ${fmt(m.cpu.loadGen).padStart(5)} ${fmt(m.cpu.others + m.cpu.steal).padStart(6)}`;
  const shared = (m: Measured) => m.cpu.others + m.cpu.steal > 0.15;
  const judge = (kw: Measured[], ratios: number[]) => {
    const p99 = median(kw.map((m) => m.p99));
    const loopMax = worst(kw.map((m) => m.loop.max));
    const ratio = median(ratios);
    return `p99 ${fmt(p99)} ms ≤ ${TARGET.p99} ${verdict(p99 <= TARGET.p99)}; loop delay max ${fmt(loopMax)} ms ≤ ${TARGET.loopMax} ${verdict(loopMax <= TARGET.loopMax)}; req/s ratio ${fmt(ratio)} ≥ ${TARGET.ratio} ${verdict(ratio >= TARGET.ratio)}`;
  };
  for (const [connections, r] of results) {
    console.log(
      `\n${connections} connections          req/s  ratio   p50 ms  p99 ms  max ms   loop p99  max ms   server  load others`,
    );
    const ratios = r.kw.map((m, i) => m.rps / (r.bare[i] as Measured).rps);
    const quiet: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const kwRound = r.kw[i] as Measured;
      const bareRound = r.bare[i] as Measured;
      const noisy = shared(kwRound) || shared(bareRound);
      if (!noisy) quiet.push(i);
      const round = `${i + 1}${noisy ? "*" : ""}`;
      console.log(row(round, "keyward", kwRound, ratios[i]));
      const pgM = r.pg[i];
      if (pgM) console.log(row(round, "kw pg", pgM, pgM.rps / bareRound.rps));
      console.log(row(round, "bare http", bareRound));
    }
    console.log(
      `  targets, all rounds (median p99 and ratio, worst loop max): ${judge(r.kw, ratios)}`,
    );
    if (r.pg.length > 0) {
      const pgRatios = r.pg.map((m, i) => m.rps / (r.bare[i] as Measured).rps);
      console.log(`  PostgreSQL, all rounds: ${judge(r.pg, pgRatios)}`);
    }
    if (quiet.length > 0 && quiet.length < ROUNDS) {
      console.log(
        `  targets, the ${quiet.length} unshared round(s) only: ${judge(
          quiet.map((i) => r.kw[i] as Measured),
          quiet.map((i) => ratios[i] as number),
        )}`,
      );
    }
  }
  console.log(
    `\npeak RSS (VmHWM): keyward ${fmt(rss.kw, 0)} MB ≤ ${TARGET.rssMb} ${verdict(rss.kw <= TARGET.rssMb)}; bare http ${fmt(rss.bare, 0)} MB`,
  );
  console.log(
    `keyward at the end: RSS ${fmt(kwMemory.rss, 0)} MB, V8 heap ${fmt(kwMemory.heapUsed, 0)} MB used of ${fmt(kwMemory.heapTotal, 0)} MB, external ${fmt(kwMemory.external, 0)} MB; WAL file ${fmt(walMb, 1)} MB (${fmt(walBefore, 1)} MB before the load)`,
  );
  if (pgRss !== undefined)
    console.log(`peak RSS (VmHWM): keyward on PostgreSQL ${fmt(pgRss, 0)} MB`);
  if (profDir) console.log(`CPU profile of Keyward written to ${profDir}`);
  rmSync(dir, { recursive: true, force: true });
}

main().catch(async (e) => {
  console.error(e);
  await Promise.all(started.map((c) => c.stop()));
  await dropPg();
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
