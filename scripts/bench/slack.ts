// npm run bench:slack — latency of `/apikeys edit <key>` from the signed request to its
// acknowledgement and to the views.open call arriving at Slack (the stand-in), against a
// bare Bolt app that opens a fixed modal, in the same run. 10,000 keys, 200 nicknames.
// `-- --db postgres`: the same keys copied into a scratch PostgreSQL database (DATABASE_URL
// names the server; default the local one), and Keyward on it measured in the same run too.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SlackStandIn } from "../../src/sandbox/standin/index.ts";
import { fmt, startChild, waitForHttp } from "./child.ts";
import { seedBulk } from "./seed.ts";
import { copyToPostgres } from "./seed-pg.ts";

const WITH_POSTGRES = process.argv.includes("--db") && process.argv.includes("postgres");

const KEYS = Number(process.env.BENCH_KEYS ?? 10_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const TOKEN = "xoxb-bench-0000-keyward";
const SECRET = "bench-signing-secret-0123456789";
const OWNER = "U0BENCHOW";

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

async function drive(slack: SlackStandIn, names: string[]) {
  const ack: number[] = [];
  const open: number[] = [];
  let failed = 0;
  let next = 0;
  const opened = new Map<string, number>();
  const worker = async () => {
    while (next < REQUESTS) {
      const i = next++;
      const started = performance.now();
      const callsBefore = slack.api.calls.length;
      const r = await slack.driver.command(OWNER, "C0BENCH", `edit ${names[i % names.length]}`);
      if (r.status !== 200) {
        failed++;
        continue;
      }
      ack.push(started + r.ms - started);
      // Wait for this trigger's views.open to arrive.
      const until = performance.now() + 3000;
      for (;;) {
        const call = slack.api.calls
          .slice(callsBefore)
          .find((c) => c.method === "views.open" && c.args.trigger_id === r.trigger);
        if (call) {
          if (!call.ok) failed++;
          else open.push(call.hr - started);
          opened.set(r.trigger, call.hr);
          break;
        }
        if (performance.now() > until) {
          failed++;
          break;
        }
        await new Promise((res) => setImmediate(res));
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { ack, open, failed };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "keyward-bench-slack-"));
  const dbPath = join(dir, "bench.db");
  const seeded = await seedBulk(dbPath, {
    keys: KEYS,
    nicknames: 200,
    sample: 500,
    owners: [OWNER],
  });
  console.log(`seeded ${KEYS} keys over 200 nicknames in ${seeded.seconds.toFixed(1)} s`);
  const names = seeded.sample.map((s) => s.name);

  const slack = new SlackStandIn({ botToken: TOKEN, signingSecret: SECRET });
  await slack.start();
  slack.ws.addPerson({ id: OWNER, name: "owner", realName: "Bench Owner" });
  slack.ws.addChannel("C0BENCH", "bench");
  const port = 4700 + Math.floor(Math.random() * 200);
  const env = {
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    OWNER_USER_IDS: OWNER,
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_PATH: dbPath,
    LOG_LEVEL: "warn",
  };

  const copy = WITH_POSTGRES
    ? await copyToPostgres(
        dbPath,
        process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
        `kwbench_${Date.now()}`,
      )
    : undefined;
  const results: Record<string, Awaited<ReturnType<typeof drive>>> = {};
  const runs: Array<[string, string, number, Record<string, string>]> = [
    ["keyward", "src/main.ts", port, {}],
    ...(copy
      ? [
          ["keyward pg", "src/main.ts", port + 2, { DATABASE_URL: copy.url }] as [
            string,
            string,
            number,
            Record<string, string>,
          ],
        ]
      : []),
    ["bare bolt", "scripts/bench/bare-bolt.ts", port + 1, {}],
  ];
  for (const [label, script, p, extra] of runs) {
    const child = await startChild(script, { ...env, ...extra, PORT: String(p) }, (proc) =>
      label.startsWith("keyward")
        ? waitForHttp(`http://127.0.0.1:${p}/healthz`)
        : new Promise((r) => proc.once("message", () => r())),
    );
    slack.appUrl = `http://127.0.0.1:${p}/slack/events`;
    // Warm up (the first requests compile code paths), then measure.
    await drive(slack, names.slice(0, 50)).catch(() => undefined);
    slack.api.calls.length = 0;
    slack.driver.sent.length = 0;
    results[label] = await drive(slack, names);
    await child.stop();
  }
  await slack.stop();
  await copy?.drop();
  rmSync(dir, { recursive: true, force: true });

  const kw = results.keyward as Awaited<ReturnType<typeof drive>>;
  const bare = results["bare bolt"] as Awaited<ReturnType<typeof drive>>;
  console.log(
    `\n/apikeys edit <key>: ${REQUESTS} signed commands, ${CONCURRENCY} in flight, ${KEYS} keys, 200 nicknames`,
  );
  console.log("app          ack p50  ack p99   views.open p50  views.open p99  failed");
  for (const [label, r] of Object.entries(results)) {
    console.log(
      `${label.padEnd(10)} ${fmt(pct(r.ack, 50)).padStart(8)} ${fmt(pct(r.ack, 99)).padStart(8)}   ${fmt(pct(r.open, 50)).padStart(14)} ${fmt(pct(r.open, 99)).padStart(15)}  ${r.failed}`,
    );
  }
  console.log(
    `ratio keyward/bare, views.open p99: ${fmt(pct(kw.open, 99) / pct(bare.open, 99))} (target ≤ 2); p50: ${fmt(pct(kw.open, 50) / pct(bare.open, 50))}`,
  );
  console.log(`keyward views.open p99: ${fmt(pct(kw.open, 99))} ms (target ≤ 50)`);
  const kwPg = results["keyward pg"];
  if (kwPg) {
    console.log(
      `PostgreSQL: ratio keyward pg/bare, views.open p99: ${fmt(pct(kwPg.open, 99) / pct(bare.open, 99))} (target ≤ 2); views.open p99 ${fmt(pct(kwPg.open, 99))} ms (target ≤ 50)`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
