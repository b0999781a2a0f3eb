// npm run bench:invalidation — how soon a change committed on one instance stops an old answer
// on another. Instance A (this process) disables and enables one key, CHANGES times; instance
// B (a child process on the same PostgreSQL database, its cache's time-based re-read turned
// off) has the key cached and asks its verify lookup in a loop until the answer flips. Reports
// the delay from A's commit returning to B answering the new state, p50/p95/p99/max.
// DATABASE_URL names the server (default: the local one); a scratch database is created on it
// and dropped afterwards.
// `-- --http`: instance B is a whole Keyward server in another process (its HTTP listener, its
// default cache settings), and A asks B's /v1/verify over HTTP after each commit until the
// answer flips: the delay a service calling another instance would see, request time included.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { systemClock } from "../../src/domain/clock.ts";
import type { Ctx } from "../../src/domain/context.ts";
import { createKey } from "../../src/domain/keys/create.ts";
import { disableKey } from "../../src/domain/keys/disable.ts";
import { enableKey } from "../../src/domain/keys/enable.ts";
import { verify } from "../../src/domain/keys/verify.ts";
import { addNickname } from "../../src/domain/nicknames/add.ts";
import { bootstrapOwners } from "../../src/domain/roles/bootstrap.ts";
import { openPgStore } from "../../src/store/pg/index.ts";

const CHANGES = Number(process.env.BENCH_CHANGES ?? 1000);
const OWNER = "U0BENCH01";
const now = () => performance.timeOrigin + performance.now();

type FromB = { ready: true } | { flippedAt: number } | { url: string };
const HTTP = process.argv.includes("--http");
const TOKEN = "bench-verify-token-0123456789";

/** Instance B as a Keyward server; says its URL when it listens. */
async function serverB(url: string): Promise<void> {
  const { startKeyward } = await import("../../src/app.ts");
  const { configSchema } = await import("../../src/config.ts");
  const app = await startKeyward({
    config: configSchema.parse({
      DATABASE_URL: url,
      PORT: "0",
      HOST: "127.0.0.1",
      VERIFY_API_TOKEN: TOKEN,
      LOG_LEVEL: "warn",
    }),
  });
  process.on("message", async () => {
    await app.stop();
    process.exit(0);
  });
  process.send?.({ url: app.url } satisfies FromB);
}
type ToB = { watch: string; valid: boolean } | { stop: true };

async function instanceB(url: string): Promise<void> {
  const b = await openPgStore(url, { poolSize: 2, verify: { maxAgeMs: 3_600_000 } });
  const send = (m: FromB) => process.send?.(m);
  const ask = (secret: string) =>
    verify(b.verify, new Date(), { key: secret, check: { nickname: "acme", api: "analytics" } });
  process.on("message", async (m: ToB) => {
    if ("stop" in m) {
      await b.close();
      process.exit(0);
    }
    // Cached and showing the current state first (then a hit is answered synchronously).
    for (;;) {
      const r = ask(m.watch);
      if (!(r instanceof Promise) && r.answer.valid !== m.valid) break;
      await r;
      await new Promise((res) => setTimeout(res, 1));
    }
    send({ ready: true });
    for (;;) {
      const r = ask(m.watch);
      const { answer } = r instanceof Promise ? await r : r;
      if (answer.valid === m.valid) return send({ flippedAt: now() });
      await new Promise((res) => setImmediate(res));
    }
  });
  send({ ready: true });
}

async function main(): Promise<void> {
  const server = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `kwbench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const a = await openPgStore(url.toString(), { poolSize: 2 });
  const child = fork(fileURLToPath(import.meta.url), [HTTP ? "b-http" : "b", url.toString()], {
    execArgv: ["--import", "tsx"],
  });
  const next = () =>
    new Promise<FromB>((resolve) => child.once("message", (m: FromB) => resolve(m)));
  try {
    const hello = await next();
    const bUrl = "url" in hello ? hello.url : undefined;
    const ctx: Ctx = { uow: a.uow, clock: systemClock };
    await bootstrapOwners(ctx, [OWNER]);
    await addNickname(ctx, OWNER, { nickname: "acme", kind: "seller" });
    const { key, secret } = await createKey(ctx, OWNER, {
      name: "bench",
      keyOwner: OWNER,
      cells: [{ scope: "acme", api: "analytics" }],
      expiresAt: null,
    });
    const afterCommit: number[] = [];
    const afterStart: number[] = [];
    const askB = async () => {
      const res = await fetch(`${bUrl}/v1/verify`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ key: secret, nickname: "acme", api: "analytics" }),
      });
      const body = (await res.json()) as { valid: boolean };
      if (typeof body.valid !== "boolean")
        throw new Error(`B answered ${res.status} ${JSON.stringify(body)}`);
      return body.valid;
    };
    for (let i = 0; bUrl && i < CHANGES; i++) {
      const disable = i % 2 === 0;
      // B has the current state cached (asked until it answers it).
      // Valid now when this change disables, refused now when it enables.
      while ((await askB()) !== disable) await new Promise((r) => setTimeout(r, 1));
      await askB();
      const t0 = now();
      if (disable) await disableKey(ctx, OWNER, { keyId: key.id, reason: "bench" });
      else await enableKey(ctx, OWNER, { keyId: key.id });
      const t1 = now();
      // Until B answers the new state (valid again after an enable, refused after a disable).
      while ((await askB()) === disable) {}
      const flippedAt = now();
      afterCommit.push(flippedAt - t1);
      afterStart.push(flippedAt - t0);
    }
    for (let i = 0; !bUrl && i < CHANGES; i++) {
      const disable = i % 2 === 0;
      child.send({ watch: secret, valid: !disable } satisfies ToB);
      await next();
      const flipped = next();
      const t0 = now();
      if (disable) await disableKey(ctx, OWNER, { keyId: key.id, reason: "bench" });
      else await enableKey(ctx, OWNER, { keyId: key.id });
      const t1 = now();
      const m = await flipped;
      if (!("flippedAt" in m)) throw new Error("unexpected message from instance B");
      afterCommit.push(m.flippedAt - t1);
      afterStart.push(m.flippedAt - t0);
    }
    const pct = (xs: number[], p: number) => {
      const s = [...xs].sort((x, y) => x - y);
      return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
    };
    const line = (label: string, xs: number[]) =>
      `${label}: p50 ${pct(xs, 50).toFixed(2)} ms, p95 ${pct(xs, 95).toFixed(2)} ms, ` +
      `p99 ${pct(xs, 99).toFixed(2)} ms, max ${Math.max(...xs).toFixed(2)} ms`;
    console.log(
      bUrl
        ? `${CHANGES} changes on instance A, instance B (a Keyward server in another process) asked over HTTP`
        : `${CHANGES} changes on instance A, watched by instance B (another process)`,
    );
    console.log(line("B refuses/accepts after A's commit returned", afterCommit));
    console.log(line("B refuses/accepts after A's use case started", afterStart));
  } finally {
    child.send({ stop: true } satisfies ToB);
    await new Promise((r) => child.once("exit", r));
    await a.close();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

if (process.argv[2] === "b") await instanceB(process.argv[3] as string);
else if (process.argv[2] === "b-http") await serverB(process.argv[3] as string);
else await main();
