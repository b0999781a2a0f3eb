// npm run bench:digest [-- --db postgres] [-- --keys 100000] — how long the weekly digest holds
// the server's event loop. A Keyward server (no Slack, its verification API up) runs in its
// own process on a database seeded with KEYS keys (three grants each); on request it builds
// the digest and reports, from inside that process, the event-loop delay (max, p99) while the
// digest was being built, and how long the build took. Two ways are measured in the same
// process: the digest as shipped (keys read in pages of DIGEST_PAGE, the loop given a turn
// between pages) and, for comparison, one read of every key and grant in one transaction (what
// the digest did before). Figures depend on the machine; say which one.
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { startKeyward } from "../../src/app.ts";
import { configSchema } from "../../src/config.ts";
import { buildDigest, DIGEST_PAGE } from "../../src/domain/oncall/digest.ts";
import { openPgStore } from "../../src/store/pg/index.ts";
import { startFlags } from "./child.ts";
import { seedBulk } from "./seed.ts";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const KEYS = Number(arg("keys") ?? 100_000);
const DB = arg("db") === "postgres" ? "postgres" : "sqlite";
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Figures {
  way: string;
  ms: number;
  maxDelayMs: number;
  p99DelayMs: number;
}

/** The server process: Keyward on the seeded database; builds the digest when asked. */
async function server(): Promise<void> {
  const app = await startKeyward({ config: configSchema.parse(process.env) });
  const people = { inWorkspace: async () => true };
  // The loop's delay as a 1 ms timer sees it: each tick records how late it fired. A block of
  // the loop shows as one late tick (a histogram that is only sampled while the loop turns
  // would miss the block that matters most).
  const showBlocks = Number(process.env.BENCH_SHOW_BLOCKS ?? 0);
  const measure = async (way: string, build: () => Promise<unknown>): Promise<Figures> => {
    const late: number[] = [];
    let running = true;
    let last = performance.now();
    const tick = () => {
      const now = performance.now();
      late.push(Math.max(0, now - last - 1));
      // BENCH_SHOW_BLOCKS=<ms>: print each block longer than that, to line up with --trace-gc.
      if (showBlocks && now - last - 1 > showBlocks)
        console.log(`-- block of ${(now - last - 1).toFixed(1)} ms ending at ${now.toFixed(0)} ms`);
      last = now;
      if (running) setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
    const started = performance.now();
    await build();
    const ms = performance.now() - started;
    // One more tick, so that a block at the very end is counted too.
    await new Promise((resolve) => setTimeout(resolve, 5));
    running = false;
    late.sort((a, b) => a - b);
    const p99 = late[Math.min(late.length - 1, Math.floor(late.length * 0.99))] ?? 0;
    return { way, ms, maxDelayMs: late.at(-1) ?? 0, p99DelayMs: p99 };
  };
  process.on("message", async (m: string) => {
    if (m === "stop") {
      await app.stop();
      process.exit(0);
    }
    if (m === "mark") {
      // A line in a --trace-gc log, to tell which run a collection belongs to.
      console.log(`-- run at ${performance.now().toFixed(0)} ms`);
      return;
    }
    const figures =
      m === "paged"
        ? await measure(`paged (${DIGEST_PAGE} keys a page)`, () => buildDigest(app.ctx, people))
        : await measure("one read (old first step)", () =>
            app.store.uow.run(async (tx) => {
              const keys = await tx.keys.all();
              return tx.grants.forKeys(keys.map((k) => k.id));
            }),
          );
    process.send?.(figures);
  });
  process.send?.("ready");
}

/** 100,000 keys with three grants each, straight into PostgreSQL. */
async function seedPostgres(url: string, keys: number): Promise<void> {
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
      select lpad(to_hex(i), 8, '0'), 'key ' || i, 'U0BENCH', 'active', md5(i::text) || md5('s' || i),
        now() - interval '100 days', 'bench', now(), 'bench'
      from generate_series(1, $1::int) i`,
      [keys],
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
    await seedPostgres(env.DATABASE_URL, KEYS);
    cleanup = async () => {
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), "keyward-bench-digest-"));
    env.DATABASE_PATH = join(dir, "keyward.db");
    seedBulk(env.DATABASE_PATH, { keys: KEYS, nicknames: 200, sample: 1, owners: ["U0BENCH01"] });
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${DB}: seeded ${KEYS} keys in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const child = fork(fileURLToPath(import.meta.url), ["server"], {
    env: {
      PATH: process.env.PATH ?? "",
      BENCH_SHOW_BLOCKS: process.env.BENCH_SHOW_BLOCKS ?? "",
      ...env,
    },
    // BENCH_NODE_FLAGS: extra flags for the server (e.g. "--trace-gc" or "--cpu-prof").
    // npm start's flags (the young generation's size changes what a collection costs).
    execArgv: [
      "--import",
      "tsx",
      ...startFlags(),
      ...(process.env.BENCH_NODE_FLAGS?.split(" ").filter(Boolean) ?? []),
    ],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = <T>() => new Promise<T>((resolve) => child.once("message", (m: T) => resolve(m)));
  try {
    await next<string>();
    const rows: Figures[] = [];
    for (let i = 0; i < RUNS; i++) {
      // BENCH_WAYS=paged: the shipped way alone (the old way's garbage can burden the next run).
      for (const way of (process.env.BENCH_WAYS ?? "paged,whole").split(",")) {
        child.send("mark");
        child.send(way);
        rows.push(await next<Figures>());
      }
    }
    const f = (n: number) => n.toFixed(1).padStart(8);
    console.log(
      `${"way".padEnd(28)} ${"build ms".padStart(8)} ${"max ms".padStart(8)} ${"p99 ms".padStart(8)}`,
    );
    for (const r of rows)
      console.log(`${r.way.padEnd(28)} ${f(r.ms)} ${f(r.maxDelayMs)} ${f(r.p99DelayMs)}`);
    console.log("(event-loop delay measured inside the server process while the digest was built)");
    child.send("stop");
    await new Promise((resolve) => child.once("exit", resolve));
  } finally {
    await cleanup();
  }
}

if (process.argv[2] === "server") await server();
else await main();
