// npm run bench:verify — /v1/verify under load against a bare node:http baseline, same run.
// Seeds 100,000 keys over 200 nicknames, then drives both servers with autocannon at 32
// connections from this process while each server runs in its own.
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { newPublicId, newSecret } from "../../src/domain/secrets.ts";
import { fmt, startChild, waitForHttp } from "./child.ts";
import { seedBulk } from "./seed.ts";

const KEYS = Number(process.env.BENCH_KEYS ?? 100_000);
const NICKNAMES = 200;
const SAMPLE = 1_000;
const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = 32;
const TOKEN = "bench-verify-token-0123456789";

const dir = mkdtempSync(join(tmpdir(), "keyward-bench-"));
const dbPath = join(dir, "bench.db");

function seed() {
  const seeded = seedBulk(dbPath, { keys: KEYS, nicknames: NICKNAMES, sample: SAMPLE });
  console.log(`seeded ${KEYS} keys over ${NICKNAMES} nicknames in ${seeded.seconds.toFixed(1)} s`);
  return seeded.sample;
}

function bodies(sample: ReturnType<typeof seed>): string[] {
  const out: string[] = [];
  for (const [i, s] of sample.entries()) {
    // Mix: valid+allowed, valid+not permitted, bad checksum, unknown (well-formed) key.
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

async function load(url: string, payloads: string[], seconds: number) {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: payloads.map((body) => ({
      method: "POST",
      path: "/v1/verify",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body,
    })),
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`load saw ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  }
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function main() {
  // BENCH_REUSE=<file>: reuse a seeded database and bodies saved there by an earlier run.
  const reuse = process.env.BENCH_REUSE;
  let payloads: string[];
  if (reuse && existsSync(reuse)) {
    payloads = JSON.parse(readFileSync(reuse, "utf8"));
    copyFileSync(`${reuse}.db`, dbPath);
  } else {
    payloads = bodies(seed());
    if (reuse) {
      writeFileSync(reuse, JSON.stringify(payloads));
      copyFileSync(dbPath, `${reuse}.db`);
    }
  }
  const port = 4100 + Math.floor(Math.random() * 500);
  const kwUrl = `http://127.0.0.1:${port}`;
  const bareUrl = `http://127.0.0.1:${port + 1}`;
  const keyward = await startChild(
    "scripts/bench/verify-server.ts",
    {
      VERIFY_API_TOKEN: TOKEN,
      DATABASE_PATH: dbPath,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
    },
    () => waitForHttp(`${kwUrl}/healthz`),
  );
  const bare = await startChild(
    "scripts/bench/bare-server.ts",
    { PORT: String(port + 1) },
    (p) => new Promise((r) => p.once("message", () => r())),
  );
  // Warm both up, then alternate short rounds so that both see the same machine: on a shared
  // two-core VM throughput drifts by tens of percent from one minute to the next.
  await load(kwUrl, payloads, 3);
  await load(bareUrl, payloads, 2);
  const kw: Array<Awaited<ReturnType<typeof load>>> = [];
  const base: Array<Awaited<ReturnType<typeof load>>> = [];
  for (let i = 0; i < ROUNDS; i++) {
    kw.push(await load(kwUrl, payloads, DURATION));
    base.push(await load(bareUrl, payloads, DURATION));
  }
  const kwRss = keyward.peakRssMb();
  await keyward.stop();
  await bare.stop();

  const row = (label: string, rs: typeof kw) =>
    `${label.padEnd(10)} ${fmt(median(rs.map((r) => r.rps)), 0).padStart(9)}  ${fmt(median(rs.map((r) => r.p50))).padStart(7)} ${fmt(median(rs.map((r) => r.p99))).padStart(7)}   ${rs.map((r) => fmt(r.rps, 0)).join(" ")}`;
  const ratios = kw.map((r, i) => r.rps / (base[i] as (typeof base)[number]).rps);
  console.log(
    `\n/v1/verify: ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION} s, ${payloads.length} distinct bodies`,
  );
  console.log("server         req/s   p50 ms  p99 ms   per round (req/s)");
  console.log(row("keyward", kw));
  console.log(row("bare http", base));
  console.log(
    `ratio keyward/bare (median of rounds): ${fmt(median(ratios))}   per round: ${ratios.map((r) => fmt(r)).join(" ")}   (target ≥ 0.6)`,
  );
  console.log(
    `keyward p99 (median): ${fmt(median(kw.map((r) => r.p99)))} ms (target ≤ 5)   peak RSS: ${fmt(kwRss, 0)} MB (target ≤ 200)`,
  );
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
