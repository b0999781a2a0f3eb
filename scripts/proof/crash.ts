// npm run proof:crash — kills the running app with SIGKILL at random moments during a
// stream of changes (KILLS times, default 50), restarts it each time, then checks that:
// every committed change has its audit event and its notifications; no notification was
// delivered twice (and all were delivered); PRAGMA integrity_check is ok; no key is
// half-regenerated.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SlackStandIn } from "../../src/sandbox/standin/index.ts";
import { startChild, waitForHttp } from "../bench/child.ts";

const KILLS = Number(process.env.KILLS ?? 50);
const TOKEN = "xoxb-crash-0000-keyward";
const SECRET = "crash-signing-secret-0123456789";
const OWNER = "U0CRASHOW";
const OWNER2 = "U0CRASHO2";
const CHANNEL = "C0CRASH";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (a: number, b: number) => a + Math.floor(Math.random() * (b - a + 1));

const dir = mkdtempSync(join(tmpdir(), "keyward-crash-"));
const dbPath = join(dir, "crash.db");
const port = 4900 + rand(0, 90);
const slack = new SlackStandIn({ botToken: TOKEN, signingSecret: SECRET });
const stats = { ops: 0, failedOps: 0, kills: 0, starts: 0 };
let seq = 0;

async function modal(user: string, tries = 20) {
  for (let i = 0; i < tries; i++) {
    const v = slack.ws.topModal(user);
    if (v) return v;
    await sleep(25);
  }
  return undefined;
}

/** One change through Slack, as a person would make it. Failures (the app died) are expected. */
async function operation(): Promise<void> {
  const d = slack.driver;
  const n = ++seq;
  const pick = Math.random();
  if (pick < 0.35) {
    await d.command(OWNER, CHANNEL, `nickname add c${n} ${["seller", "affiliate", "both"][n % 3]}`);
    return;
  }
  const keys = [...slack.ws.messages].length; // cheap randomness source for key choice
  const target = `K-${rand(1, Math.max(1, Math.min(seq, 40)))}`;
  const verb = pick < 0.6 ? "create" : pick < 0.8 ? `regenerate ${target}` : `edit ${target}`;
  void keys;
  const existing = slack.ws.topModal(OWNER);
  if (existing) await d.close(OWNER, existing.id);
  await d.command(OWNER, CHANNEL, verb);
  const v = await modal(OWNER);
  if (!v) return;
  if (verb === "create")
    d.setValue(v.id, "name", "value", { type: "plain_text_input", value: `K-${n}` });
  if (verb.startsWith("edit"))
    d.setValue(v.id, "name", "value", {
      type: "plain_text_input",
      value: `${target} r${n}`.slice(0, 60),
    });
  await d.submit(OWNER, v.id);
  const after = slack.ws.topModal(OWNER);
  if (after) await d.close(OWNER, after.id);
}

async function stream(until: () => boolean): Promise<void> {
  while (!until()) {
    stats.ops++;
    try {
      await operation();
    } catch {
      stats.failedOps++;
      await sleep(20);
    }
  }
}

const env = {
  SLACK_BOT_TOKEN: TOKEN,
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_API_URL: "",
  OWNER_USER_IDS: `${OWNER},${OWNER2}`,
  PORT: String(port),
  HOST: "127.0.0.1",
  DATABASE_PATH: dbPath,
  LOG_LEVEL: "error",
};

async function boot() {
  stats.starts++;
  const child = await startChild("src/main.ts", { ...env, SLACK_API_URL: slack.apiUrl }, () =>
    waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000),
  );
  return child;
}

function check(): string[] {
  const db = new Database(dbPath, { readonly: true });
  const problems: string[] = [];
  const q = <T>(sql: string, ...p: unknown[]) => db.prepare(sql).all(...p) as T[];
  const integrity = db.pragma("integrity_check", { simple: true });
  if (integrity !== "ok") problems.push(`integrity_check: ${integrity}`);

  const nicknames = q<{ nickname: string }>("select nickname from nicknames");
  for (const n of nicknames) {
    if (
      q("select 1 from audit_events where action = 'nickname.added' and subject = ?", n.nickname)
        .length !== 1
    ) {
      problems.push(`nickname ${n.nickname} has no (or more than one) audit event`);
    }
  }
  const keys = q<{ id: number; name: string; secret_hash: string | null }>(
    "select id, name, secret_hash from api_keys",
  );
  for (const k of keys) {
    if (!k.secret_hash) problems.push(`key ${k.id} has no secret`);
    if (
      q("select 1 from audit_events where action = 'key.created' and key_id = ?", k.id).length !== 1
    )
      problems.push(`key ${k.id} has no creation event`);
    const regenerated = q(
      "select 1 from audit_events where action = 'key.regenerated' and key_id = ?",
      k.id,
    ).length;
    const retired = q("select 1 from retired_secrets where key_id = ?", k.id).length;
    if (regenerated !== retired)
      problems.push(
        `key ${k.id}: ${regenerated} regenerations but ${retired} retired secrets (half-regenerated)`,
      );
  }
  // Every change wrote its notifications in its own transaction (same timestamp).
  const events = q<{ id: number; at: number; action: string }>(
    "select id, at, action from audit_events where actor != 'keyward'",
  );
  for (const e of events) {
    if (q("select 1 from outbox where created_at = ?", e.at).length === 0)
      problems.push(`audit event ${e.id} (${e.action}) has no notifications`);
  }
  const outbox = q<{ id: number; status: string }>("select id, status from outbox");
  const delivered = new Map<number, number>();
  for (const m of slack.ws.messages) {
    const id = (m.metadata?.event_payload as { outbox_id?: number } | undefined)?.outbox_id;
    if (typeof id === "number") delivered.set(id, (delivered.get(id) ?? 0) + 1);
  }
  for (const r of outbox) {
    const n = delivered.get(r.id) ?? 0;
    if (n > 1) problems.push(`notification ${r.id} delivered ${n} times`);
    if (r.status !== "sent" || n !== 1)
      problems.push(`notification ${r.id} is ${r.status}, delivered ${n} times`);
  }
  console.log(
    `checked: ${nicknames.length} nicknames, ${keys.length} keys, ${events.length} audit events, ${outbox.length} notifications (${[...delivered.values()].reduce((a, b) => a + b, 0)} delivered)`,
  );
  db.close();
  return problems;
}

async function main() {
  await slack.start();
  for (const [id, name] of [
    [OWNER, "owner"],
    [OWNER2, "owner2"],
  ] as const)
    slack.ws.addPerson({ id, name, realName: name });
  slack.ws.addChannel(CHANNEL, "crash");
  slack.appUrl = `http://127.0.0.1:${port}/slack/events`;
  const started = Date.now();
  for (let i = 0; i < KILLS; i++) {
    const child = await boot();
    let stop = false;
    const streams = [stream(() => stop), stream(() => stop)];
    await sleep(rand(100, 1500));
    child.proc.kill("SIGKILL");
    stats.kills++;
    stop = true;
    await new Promise((r) => child.proc.once("exit", r));
    await Promise.all(streams);
    if ((i + 1) % 10 === 0) console.log(`${i + 1} kills…`);
  }
  // A last, clean run lets the outbox catch up (including what was in flight at a kill).
  const last = await boot();
  for (let i = 0; i < 100; i++) {
    await sleep(200);
    const db = new Database(dbPath, { readonly: true });
    const left = (
      db.prepare("select count(*) n from outbox where status in ('pending', 'sending')").get() as {
        n: number;
      }
    ).n;
    db.close();
    if (left === 0) break;
  }
  await last.stop();
  const problems = check();
  console.log(
    `${stats.kills} SIGKILLs, ${stats.starts} starts, ${stats.ops} operations attempted (${stats.failedOps} cut off by a kill) in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  await slack.stop();
  rmSync(dir, { recursive: true, force: true });
  if (problems.length) {
    console.log(`FAILED: ${problems.length} problems`);
    for (const p of problems.slice(0, 30)) console.log(`  ${p}`);
    process.exit(1);
  }
  console.log(
    "OK: every committed change has its audit event and notifications; none delivered twice; integrity ok; no half-regenerated key",
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
