// npm run bench:audit — does a SIEM reading GET /v1/audit slow the verification API?
// Seeds 10,000 keys and 200,000 audit events, then loads /v1/verify with autocannon (32
// connections, from this process) in alternating rounds: alone, and while another process pulls
// the whole audit log from /v1/audit over and over as fast as it can. Keyward runs in its own
// process; the figures are what the verification clients see.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { auditEvents } from "../../db/schema.ts";
import { openDb } from "../../src/store/db.ts";
import { type Child, fmt, startChild, waitForHttp } from "./child.ts";
import { LOOP_DELAY_REQUEST, type LoopDelay } from "./loop-delay.ts";
import { seedBulk } from "./seed.ts";

const KEYS = Number(process.env.BENCH_KEYS ?? 10_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 32;
const VERIFY_TOKEN = "bench-verify-token-0123456789";
const AUDIT_TOKEN = "bench-audit-token-0123456789";

const dir = mkdtempSync(join(tmpdir(), "keyward-bench-audit-"));
const dbPath = join(dir, "bench.db");

/** Audit events shaped like Keyward's own: a key, a reason now and then, a diff. */
async function seedEvents(n: number): Promise<void> {
  const { db, sqlite, close } = openDb(dbPath);
  const at = Date.now() - n * 1000;
  sqlite.transaction(() => {
    for (let i = 0; i < n; i++) {
      db.insert(auditEvents)
        .values({
          at: new Date(at + i * 1000),
          actor: `U0BENCH${i % 20}`,
          action: i % 3 === 0 ? "key.permissions_changed" : "key.disabled",
          keyId: (i % KEYS) + 1,
          keyName: `key ${i % KEYS}`,
          keyPublicId: `Pub${String(i % KEYS).padStart(5, "0")}`,
          reason: i % 5 === 0 ? "Rotated after the quarterly review of integrations" : null,
          diff: {
            changes: ["+ Orders/Tickets API Read on nick12", "− Analytics API on All accounts"],
          },
        })
        .run();
    }
  })();
  await close();
}

async function verifyLoad(url: string, payloads: string[], seconds: number) {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: payloads.map((body) => ({
      method: "POST",
      path: "/v1/verify",
      headers: { "content-type": "application/json", authorization: `Bearer ${VERIFY_TOKEN}` },
      body,
    })),
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`load saw ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  }
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

type Eld = Pick<LoopDelay, "p50" | "p99" | "max">;

/** Keyward's own event-loop delay since the previous ask. */
function eldOf(c: Child): Promise<Eld> {
  return new Promise((resolve) => {
    c.proc.once("message", (m) => resolve(m as Eld));
    c.proc.send(LOOP_DELAY_REQUEST);
  });
}

async function startPuller(url: string): Promise<Child> {
  return startChild(
    "scripts/bench/audit-puller.ts",
    { AUDIT_URL: url, AUDIT_API_TOKEN: AUDIT_TOKEN },
    async () => {},
  );
}

function stopPuller(p: Child): Promise<number> {
  return new Promise((resolve) => {
    p.proc.once("message", (m) => resolve((m as { events: number }).events));
    p.proc.send("stop");
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function main() {
  const seeded = await seedBulk(dbPath, { keys: KEYS, nicknames: 200, sample: 1000 });
  const started = Date.now();
  await seedEvents(EVENTS);
  console.log(
    `seeded ${KEYS} keys in ${seeded.seconds.toFixed(1)} s and ${EVENTS} audit events in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  const payloads = seeded.sample.map((s) =>
    JSON.stringify({ key: s.secret, nickname: s.nickname, api: s.api }),
  );
  const port = 4600 + Math.floor(Math.random() * 300);
  const url = `http://127.0.0.1:${port}`;
  const keyward = await startChild(
    "scripts/bench/verify-server.ts",
    {
      VERIFY_API_TOKEN: VERIFY_TOKEN,
      AUDIT_API_TOKEN: AUDIT_TOKEN,
      DATABASE_PATH: dbPath,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
    },
    () => waitForHttp(`${url}/healthz`),
  );
  await verifyLoad(url, payloads, 3);
  const alone: Array<Awaited<ReturnType<typeof verifyLoad>>> = [];
  const pulled: Array<Awaited<ReturnType<typeof verifyLoad>>> = [];
  const pullRates: number[] = [];
  const eldAlone: Eld[] = [];
  const eldPulled: Eld[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    await eldOf(keyward);
    alone.push(await verifyLoad(url, payloads, DURATION));
    eldAlone.push(await eldOf(keyward));
    const puller = await startPuller(url);
    const t0 = Date.now();
    pulled.push(await verifyLoad(url, payloads, DURATION));
    eldPulled.push(await eldOf(keyward));
    const events = await stopPuller(puller);
    pullRates.push(events / ((Date.now() - t0) / 1000));
  }
  const rss = keyward.peakRssMb();
  await keyward.stop();

  const row = (label: string, rs: typeof alone, e: Eld[]) =>
    `${label.padEnd(24)} ${fmt(median(rs.map((r) => r.rps)), 0).padStart(9)}  ${fmt(median(rs.map((r) => r.p50))).padStart(7)} ${fmt(median(rs.map((r) => r.p99))).padStart(7)}   ${fmt(median(e.map((x) => x.p99))).padStart(7)} ${fmt(median(e.map((x) => x.max))).padStart(7)}   ${rs.map((r) => fmt(r.p99, 0)).join(" ")}`;
  console.log(
    `\n/v1/verify: ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION} s; ${EVENTS} audit events`,
  );
  console.log(
    "condition                    req/s   p50 ms  p99 ms   loop delay p99/max ms   p99 per round",
  );
  console.log(row("verify alone", alone, eldAlone));
  console.log(row("while a SIEM pulls", pulled, eldPulled));
  console.log(
    `audit API read by the puller: ${fmt(median(pullRates), 0)} events/s (median of rounds)   Keyward peak RSS: ${fmt(rss, 0)} MB`,
  );
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
