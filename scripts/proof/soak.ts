// npm run proof:soak — 200 simulated people using Keyward through Slack for SOAK_MINUTES
// (default 10) while the outbox delivers. Reports errors (target 0), acknowledgement
// latency percentiles (target p99 ≤ 200 ms) and the app's RSS over time (target: no growth
// over 10% in the second half).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SlackStandIn } from "../../src/sandbox/standin/index.ts";
import type { Message } from "../../src/sandbox/standin/workspace.ts";
import { fmt, startChild, waitForHttp } from "../bench/child.ts";
import { seedBulk } from "../bench/seed.ts";

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const USERS = Number(process.env.SOAK_USERS ?? 200);
const TOKEN = "xoxb-soak-0000-keyward";
const SECRET = "soak-signing-secret-0123456789";
const CHANNEL = "C0SOAK";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (a: number, b: number) => a + Math.floor(Math.random() * (b - a + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;

const owners = Array.from({ length: 10 }, (_, i) => `U0SOAKO${String(i).padStart(2, "0")}`);
const oncall = Array.from({ length: 10 }, (_, i) => `U0SOAKC${String(i).padStart(2, "0")}`);
const members = Array.from(
  { length: USERS - 20 },
  (_, i) => `U0SOAKM${String(i).padStart(3, "0")}`,
);

const acks: number[] = [];
const errors: string[] = [];
const rss: Array<{ t: number; mb: number }> = [];
let actions = 0;

const slack = new SlackStandIn({ botToken: TOKEN, signingSecret: SECRET });
const d = slack.driver;

function record(kind: string, r: { status: number; ms: number; text: string }): void {
  acks.push(r.ms);
  if (r.status !== 200) errors.push(`${kind}: HTTP ${r.status}`);
}

function lastFor(user: string): Message | undefined {
  const ms = slack.ws.visibleTo(user, CHANNEL);
  return ms[ms.length - 1];
}

function saidWrong(user: string): void {
  const m = lastFor(user);
  if (m?.text.includes("Something went wrong")) errors.push(`told ${user}: ${m.text}`);
}

async function command(user: string, text: string) {
  const r = await d.command(user, CHANNEL, text);
  record(`/apikeys ${text.split(" ")[0]}`, r);
  await sleep(30);
  saidWrong(user);
  return r;
}

/** Waits for the modal as long as Slack's trigger lives (3 s). */
async function modalOf(user: string) {
  for (let i = 0; i < 120; i++) {
    const v = slack.ws.topModal(user);
    if (v) return v;
    await sleep(25);
  }
  errors.push(`no modal opened for ${user} within 3 s`);
  return undefined;
}

async function submit(user: string, viewId: string) {
  const r = await d.submit(user, viewId);
  record("submit", r);
  if (JSON.stringify(r.json ?? {}).includes("Something went wrong"))
    errors.push(`submit told ${user}: something went wrong`);
  const top = slack.ws.topModal(user);
  if (top) await d.close(user, top.id);
}

async function memberTurn(user: string, keyNames: string[]) {
  const roll = Math.random();
  if (roll < 0.45) {
    await command(user, pick(["list", "list key 1", `show ${pick(keyNames)}`]));
    const m = lastFor(user);
    const next = m?.blocks?.find((b) => b.block_id === "keys_nav");
    if (m && next && Math.random() < 0.5) {
      const r = await d
        .click(
          user,
          { kind: "message", channel: m.channel, ts: m.ts },
          { blockId: "keys_nav", actionId: "keys_page:next" },
        )
        .catch(() => undefined);
      if (r) record("click next", r);
    }
  } else if (roll < 0.65) {
    record("home", await d.openHome(user));
  } else if (roll < 0.8) {
    await command(user, "requests");
  } else {
    await command(user, "request");
    const v = await modalOf(user);
    if (!v) return;
    const options = await d.suggest(user, v.id, "key", "key_choice", pick(keyNames).slice(0, 5));
    const o = options[1] ?? options[0];
    if (o) await d.choose(user, v.id, "key", "key_choice", o);
    d.setValue(v.id, "perm:orders:read", "scopes", {
      type: "multi_external_select",
      selected_options: [{ text: { type: "plain_text", text: "x" }, value: `nick${rand(0, 19)}` }],
    });
    d.setValue(v.id, "duration", "value", {
      type: "radio_buttons",
      selected_option: { text: { type: "plain_text", text: "1 day" }, value: "1d" },
    });
    d.setValue(v.id, "reason", "value", {
      type: "plain_text_input",
      value: "Soak test: need this for the weekly report",
    });
    await submit(user, v.id);
  }
}

async function ownerTurn(user: string, keyNames: string[]) {
  const roll = Math.random();
  if (roll < 0.3) {
    await command(user, pick(["list", "nicknames", "roles", "audit"]));
  } else if (roll < 0.6) {
    // Decide the newest pending card in the DMs, if any.
    const im = slack.ws.imWith(user);
    const card = im
      ? slack.ws
          .visibleTo(user, im.id)
          .filter(
            (m) =>
              m.text.startsWith("Access request #") &&
              m.blocks?.some((b) => String(b.block_id).startsWith("req:")),
          )
          .at(-1)
      : undefined;
    if (card) {
      const block = card.blocks?.find((b) => String(b.block_id).startsWith("req:"));
      const r = await d.click(
        user,
        { kind: "message", channel: card.channel, ts: card.ts },
        { blockId: String(block?.block_id), actionId: "request_approve" },
      );
      record("approve", r);
    } else {
      await command(user, "requests");
    }
  } else {
    await command(user, `edit ${pick(keyNames)}`);
    const v = await modalOf(user);
    if (!v) return;
    await submit(user, v.id);
  }
}

async function oncallTurn(user: string, keyNames: string[]) {
  await command(user, pick(["digest", "list", `show ${pick(keyNames)}`]));
}

async function person(user: string, until: number, keyNames: string[]) {
  await sleep(rand(0, 3000));
  while (Date.now() < until) {
    actions++;
    try {
      if (owners.includes(user)) await ownerTurn(user, keyNames);
      else if (oncall.includes(user)) await oncallTurn(user, keyNames);
      else await memberTurn(user, keyNames);
    } catch (e) {
      errors.push(`${user}: ${e instanceof Error ? e.message : String(e)}`);
    }
    await sleep(rand(1500, 4500));
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "keyward-soak-"));
  const dbPath = join(dir, "soak.db");
  const seeded = await seedBulk(dbPath, { keys: 60, nicknames: 20, sample: 60, owners });
  const keyNames = seeded.sample.map((s) => s.name);
  await slack.start();
  for (const id of [...owners, ...oncall, ...members])
    slack.ws.addPerson({ id, name: id.toLowerCase(), realName: id });
  slack.ws.addChannel(CHANNEL, "soak");
  const port = 5100 + rand(0, 90);
  const child = await startChild(
    "src/main.ts",
    {
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      OWNER_USER_IDS: owners.join(","),
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_PATH: dbPath,
      LOG_LEVEL: "error",
    },
    () => waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000),
  );
  slack.appUrl = `http://127.0.0.1:${port}/slack/events`;
  for (const id of oncall)
    await d.command(owners[0] as string, CHANNEL, `role add <@${id}|x> oncall`);

  const started = Date.now();
  const until = started + MINUTES * 60_000;
  const sampler = setInterval(() => {
    const kb = Number(
      /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.proc.pid}/status`, "utf8"))?.[1] ?? 0,
    );
    rss.push({ t: (Date.now() - started) / 1000, mb: kb / 1024 });
    // Keep the stand-in's own records from growing without bound (they are not measured).
    slack.api.calls.length = 0;
    d.sent.length = 0;
  }, 5000);
  const progress = setInterval(() => {
    console.log(
      `${((Date.now() - started) / 60_000).toFixed(1)} min: ${actions} actions, ${acks.length} requests, ${errors.length} errors, RSS ${fmt(rss.at(-1)?.mb ?? 0, 0)} MB`,
    );
  }, 60_000);
  await Promise.all([...owners, ...oncall, ...members].map((u) => person(u, until, keyNames)));
  clearInterval(sampler);
  clearInterval(progress);
  const outbox = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status);
  await child.stop();
  await slack.stop();
  rmSync(dir, { recursive: true, force: true });

  const half = rss.filter((s) => s.t >= (MINUTES * 60) / 2);
  const firstMinuteOfHalf = half.filter((s) => s.t < (MINUTES * 60) / 2 + 60).map((s) => s.mb);
  const lastMinute = half.filter((s) => s.t >= MINUTES * 60 - 60).map((s) => s.mb);
  const growth = (mean(lastMinute) - mean(firstMinuteOfHalf)) / mean(firstMinuteOfHalf);
  console.log(
    `\nsoak: ${USERS} people for ${MINUTES} min; ${actions} actions, ${acks.length} signed requests (${fmt(acks.length / (MINUTES * 60), 1)}/s)`,
  );
  console.log(
    `errors: ${errors.length} (target 0)${errors.length ? `, e.g. ${errors.slice(0, 5).join(" | ")}` : ""}`,
  );
  console.log(
    `ack latency ms: p50 ${fmt(pct(acks, 50))}  p90 ${fmt(pct(acks, 90))}  p99 ${fmt(pct(acks, 99))}  max ${fmt(Math.max(...acks))} (target p99 ≤ 200)`,
  );
  console.log(
    `RSS MB: start ${fmt(rss[0]?.mb ?? 0, 0)}, at half ${fmt(mean(firstMinuteOfHalf), 0)}, last minute ${fmt(mean(lastMinute), 0)}, max ${fmt(Math.max(...rss.map((s) => s.mb)), 0)}; second-half growth ${fmt(growth * 100, 1)}% (target ≤ 10%)`,
  );
  console.log(
    `RSS every minute: ${rss
      .filter((_, i) => i % 12 === 0)
      .map((s) => fmt(s.mb, 0))
      .join(" ")}`,
  );
  void outbox;
  process.exit(errors.length === 0 && pct(acks, 99) <= 200 && growth <= 0.1 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
