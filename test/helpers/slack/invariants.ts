// What must hold after every end-to-end test, whatever it did: every surface within Block Kit
// limits, and no secret it showed in any outgoing payload, log line or the database file.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { expect } from "vitest";
import { scrubStats } from "../../../src/log.ts";
import { checkMessage, checkView } from "../../../src/sandbox/standin/limits.ts";
import type { Json } from "../../../src/sandbox/standin/workspace.ts";
import type { Harness } from "./harness.ts";

const parsed = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);

/** Every surface the app sent to Slack, checked against Block Kit limits. */
export function expectAllWithinLimits(h: Harness): void {
  for (const call of h.slack.api.calls) {
    if (!call.ok) continue;
    if (["views.open", "views.update", "views.push", "views.publish"].includes(call.method)) {
      expect(checkView(parsed(call.args.view)), call.method).toEqual([]);
    }
    if (["chat.postMessage", "chat.update", "chat.postEphemeral"].includes(call.method)) {
      const message = { text: call.args.text, blocks: parsed(call.args.blocks) };
      expect(checkMessage(message), call.method).toEqual([]);
    }
  }
  for (const s of h.slack.driver.sent) {
    const body = s.answer?.json;
    if (body?.response_action === "update" || body?.response_action === "push") {
      expect(checkView(body.view), "response_action view").toEqual([]);
    }
    if (s.kind === "command" && body && (body.blocks || body.text)) {
      expect(checkMessage(body), "command answer").toEqual([]);
    }
  }
  for (const p of h.slack.responsePosts) {
    if (!p.body.delete_original) expect(checkMessage(p.body as Json), "response_url").toEqual([]);
  }
}

/**
 * Where a secret may appear: only in the answer to a modal submission (the one-time view).
 * Every Web API call, response URL post, other answer and log line is scanned.
 */
export function expectNoSecretsLeaked(h: Harness, secrets: string[]): void {
  const outgoing = [
    ...h.slack.api.calls.map((c) => JSON.stringify(c.args)),
    ...h.slack.responsePosts.map((p) => JSON.stringify(p.body)),
    ...h.slack.driver.sent
      .filter((s) => s.kind !== "view_submission")
      .map((s) => s.answer?.text ?? ""),
    ...h.logs,
  ];
  for (const secret of secrets) {
    expect(secret).toMatch(/^kw_/);
    for (const text of outgoing) expect(text.includes(secret), text.slice(0, 300)).toBe(false);
    for (const text of outgoing) expect(text.includes(secret.slice(11))).toBe(false);
  }
}

/** Every secret the app showed in a one-time modal during the run. */
export function secretsShown(h: Harness): string[] {
  const found = new Set<string>();
  for (const s of h.slack.driver.sent) {
    for (const m of (s.answer?.text ?? "").matchAll(/kw_[0-9A-Za-z]{46}/g)) found.add(m[0]);
  }
  return [...found];
}

/**
 * No table holds any of these secrets: on SQLite, neither the database file nor its WAL (raw
 * bytes); on PostgreSQL, no row of any table, read as text.
 */
export async function expectNoSecretsInDatabase(h: Harness, secrets: string[]): Promise<void> {
  const store = h.app.store;
  if (store.backend === "postgres") {
    const texts = await postgresText(store.url);
    expect(texts.length, "PostgreSQL tables read").toBeGreaterThan(0);
    for (const { table, text } of texts) {
      for (const s of secrets) {
        expect(text.includes(s), `${table} holds a secret`).toBe(false);
        expect(text.includes(s.slice(11)), `${table} holds part of a secret`).toBe(false);
      }
    }
    return;
  }
  const files = ["keyward.db", "keyward.db-wal"]
    .map((f) => join(h.dir, f))
    .filter((f) => existsSync(f));
  for (const f of files) {
    const bytes = readFileSync(f).toString("latin1");
    for (const s of secrets) expect(bytes.includes(s), `${f} holds a secret`).toBe(false);
  }
}

/**
 * Stops a harness after checking, across everything it did, that every surface kept to Block
 * Kit's limits and no secret it showed reached an outgoing payload, a log line or the
 * database file.
 */
export async function stopChecked(
  h: Harness,
  o: { expectSecrets?: boolean; scrubbingAllowed?: boolean } = {},
): Promise<void> {
  try {
    const secrets = secretsShown(h);
    if (o.expectSecrets) expect(secrets.length).toBeGreaterThan(0);
    // The log scrubber is a last resort: the app itself never hands a secret-shaped string to
    // the logger (unless a test sends one in on purpose).
    if (!o.scrubbingAllowed) expect(scrubStats.lines, "log lines that needed scrubbing").toBe(0);
    expectAllWithinLimits(h);
    expectNoSecretsLeaked(h, secrets);
    await expectNoSecretsInDatabase(h, secrets);
  } finally {
    await h.stop();
  }
}

/** Every row of every table of a PostgreSQL database, as text, one string per table. */
async function postgresText(url: string): Promise<Array<{ table: string; text: string }>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows: tables } = await c.query<{ t: string }>(
      "select quote_ident(tablename) as t from pg_tables where schemaname = 'public'",
    );
    const out: Array<{ table: string; text: string }> = [];
    for (const { t } of tables) {
      const { rows } = await c.query<{ r: string }>(`select t::text as r from ${t} t`);
      out.push({ table: t, text: rows.map((r) => r.r).join("\n") });
    }
    return out;
  } finally {
    await c.end();
  }
}
