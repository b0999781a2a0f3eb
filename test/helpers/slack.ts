// End-to-end harness: the real Keyward in HTTP mode on 127.0.0.1, talking to the Slack
// stand-in (the same one the sandbox serves), with helpers that find things by their text.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { type Keyward, startKeyward } from "../../src/app.ts";
import { configSchema } from "../../src/config.ts";
import { createLog, scrubStats } from "../../src/log.ts";
import { SlackStandIn } from "../../src/sandbox/standin/index.ts";
import { checkMessage, checkView } from "../../src/sandbox/standin/limits.ts";
import { optionsOf, optionText } from "../../src/sandbox/standin/view-state.ts";
import type { Json, Message, View } from "../../src/sandbox/standin/workspace.ts";
import { ShiftClock } from "./clock.ts";

export const BOT_TOKEN = "xoxb-test-0000000000-keyward";
export const SIGNING_SECRET = "test-signing-secret-0123456789";
export const VERIFY_TOKEN = "test-verify-token-0123456789";
export const GENERAL = "C0GENERAL";

export const PEOPLE = {
  owner: { id: "U0OWNER1", name: "olivia", realName: "Olivia Owner" },
  owner2: { id: "U0OWNER2", name: "oscar", realName: "Oscar Owner" },
  oncall: { id: "U0ONCALL", name: "casey", realName: "Casey Oncall" },
  member: { id: "U0MEMBER", name: "mia", realName: "Mia Member" },
  member2: { id: "U0MEMBR2", name: "max", realName: "Max Member" },
} as const;
export type Who = keyof typeof PEOPLE;

export interface Harness {
  app: Keyward;
  slack: SlackStandIn;
  clock: ShiftClock;
  logs: string[];
  dir: string;
  stop(): Promise<void>;
  /** Stops and starts the app on the same database; `between` runs while it is down. */
  restart(between?: (dbPath: string) => void): Promise<void>;
}

export const APP_TOKEN = "xapp-1-test-keyward-socket";

export async function startHarness(
  env: Record<string, string> = {},
  o: { socketMode?: boolean } = {},
): Promise<Harness> {
  scrubStats.lines = 0;
  const dir = mkdtempSync(join(tmpdir(), "keyward-e2e-"));
  const slack = new SlackStandIn({
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    ...(o.socketMode ? { appToken: APP_TOKEN } : {}),
  });
  await slack.start();
  for (const p of Object.values(PEOPLE)) slack.ws.addPerson(p);
  slack.ws.addChannel(GENERAL, "general");
  const logs: string[] = [];
  const clock = new ShiftClock();
  const config = configSchema.parse({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_PATH: join(dir, "keyward.db"),
    OWNER_USER_IDS: `${PEOPLE.owner.id},${PEOPLE.owner2.id}`,
    VERIFY_API_TOKEN: VERIFY_TOKEN,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    LOG_LEVEL: "debug",
    ...(o.socketMode ? { SLACK_APP_TOKEN: APP_TOKEN } : {}),
    ...env,
  });
  const boot = () =>
    startKeyward({
      config,
      clock,
      log: createLog("debug", (l) => logs.push(l)),
      slackRetries: 0,
      slackTimeoutMs: 400,
      worker: { pollMs: 20, backoffBaseMs: 20, uploadTimeoutMs: 400 },
    });
  const h: Harness = {
    app: await boot(),
    slack,
    clock,
    logs,
    dir,
    async stop() {
      await h.app.stop();
      await slack.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async restart(between) {
      await h.app.stop();
      between?.(config.DATABASE_PATH);
      h.app = await boot();
      slack.appUrl = `${h.app.url}/slack/events`;
    },
  };
  slack.appUrl = `${h.app.url}/slack/events`;
  if (o.socketMode) await slack.line?.whenConnected();
  return h;
}

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every text object's text inside some blocks, for "does it say …" assertions. */
export function textOf(blocks: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!isObj(v)) return;
    if ((v.type === "mrkdwn" || v.type === "plain_text") && typeof v.text === "string")
      out.push(v.text);
    for (const x of Object.values(v)) walk(x);
  };
  walk(blocks);
  return out.join("\n");
}

export interface Found {
  blockId: string;
  actionId: string;
  optionValue?: string;
}

/** A button anywhere in these blocks, by its label. */
export function button(blocks: unknown, label: string, nth = 0): Found {
  const found: Found[] = [];
  for (const b of Array.isArray(blocks) ? blocks : []) {
    if (!isObj(b)) continue;
    const els =
      b.type === "actions"
        ? (b.elements as Json[])
        : b.type === "section" && b.accessory
          ? [b.accessory as Json]
          : [];
    for (const el of els) {
      if (el.type === "button" && isObj(el.text) && el.text.text === label) {
        found.push({ blockId: String(b.block_id), actionId: String(el.action_id) });
      }
    }
  }
  const f = found[nth];
  if (!f) throw new Error(`no button "${label}" in: ${textOf(blocks).slice(0, 400)}`);
  return f;
}

/** The element (button, overflow) near the section that mentions `near`, and an option by text. */
export function menuOption(blocks: unknown, near: string, optionLabel: string): Found {
  const list = (Array.isArray(blocks) ? blocks : []).filter(isObj);
  const start = list.findIndex((b) => textOf([b]).includes(near));
  if (start < 0) throw new Error(`nothing mentions "${near}"`);
  for (const b of list.slice(start, start + 3)) {
    const els =
      b.type === "actions"
        ? (b.elements as Json[])
        : b.type === "section" && b.accessory
          ? [b.accessory as Json]
          : [];
    for (const el of els) {
      if (el.type !== "overflow" && el.type !== "static_select") continue;
      const o = optionsOf(el).find((x) => optionText(x) === optionLabel);
      if (o)
        return {
          blockId: String(b.block_id),
          actionId: String(el.action_id),
          optionValue: String(o.value),
        };
    }
  }
  throw new Error(`no "${optionLabel}" option near "${near}"`);
}

export function buttonNear(blocks: unknown, near: string, label: string): Found {
  const list = (Array.isArray(blocks) ? blocks : []).filter(isObj);
  const start = list.findIndex((b) => textOf([b]).includes(near));
  if (start < 0) throw new Error(`nothing mentions "${near}"`);
  return button(list.slice(start, start + 3), label);
}

export class Person {
  constructor(
    readonly h: Harness,
    readonly id: string,
  ) {}

  get d() {
    return this.h.slack.driver;
  }

  async run(text: string, channel = GENERAL) {
    const r = await this.d.command(this.id, channel, text);
    expect(r.status).toBe(200);
    await settle(this.h);
    return r;
  }

  /** The newest message this person sees in a conversation. */
  last(channel = GENERAL): Message {
    const ms = this.h.slack.ws.visibleTo(this.id, channel);
    const m = ms[ms.length - 1];
    if (!m) throw new Error("no messages");
    return m;
  }

  dms(): Message[] {
    const im = this.h.slack.ws.imWith(this.id);
    return im ? this.h.slack.ws.visibleTo(this.id, im.id) : [];
  }

  modal(): View {
    const v = this.h.slack.ws.topModal(this.id);
    if (!v) throw new Error(`${this.id} has no modal open`);
    return v;
  }

  hasModal(): boolean {
    return Boolean(this.h.slack.ws.topModal(this.id));
  }

  async click(m: Message, f: Found) {
    const r = await this.d.click(this.id, { kind: "message", channel: m.channel, ts: m.ts }, f);
    expect(r.status).toBe(200);
    await settle(this.h);
    return r;
  }

  async clickInView(v: View, f: Found) {
    const r = await this.d.click(this.id, { kind: "view", viewId: v.id }, f);
    expect(r.status).toBe(200);
    await settle(this.h);
    return r;
  }

  /** Fills an input of the top modal found by its label. */
  async fill(label: string, value: string | string[]) {
    const v = this.modal();
    const block = (v.view.blocks as Json[]).find(
      (b) => b.type === "input" && isObj(b.label) && String(b.label.text).startsWith(label),
    );
    if (!block) throw new Error(`no input labelled "${label}"`);
    const el = block.element as Json;
    const actionId = String(el.action_id);
    const pick = (texts: string[]) =>
      texts.map((t) => {
        const o = optionsOf(el).find(
          (x) => optionText(x) === t || optionText(x).startsWith(`${t} (`) || String(x.value) === t,
        );
        if (!o) throw new Error(`no option "${t}" in "${label}"`);
        return o;
      });
    let state: Json & { type: string };
    if (el.type === "external_select") {
      const options = await this.d.suggest(this.id, v.id, String(block.block_id), actionId, "");
      const o = options.find(
        (x) => optionText(x) === value || optionText(x).startsWith(`${String(value)} (`),
      );
      if (!o) throw new Error(`"${label}" offers no option "${String(value)}"`);
      await this.d.choose(this.id, v.id, String(block.block_id), actionId, o);
      await settle(this.h);
      return;
    }
    if (el.type === "multi_external_select") {
      const picked: Json[] = [];
      for (const t of Array.isArray(value) ? value : [value]) {
        const options = await this.d.suggest(this.id, v.id, String(block.block_id), actionId, t);
        const o = options.find(
          (x) => optionText(x) === t || optionText(x).startsWith(`${t} (`) || String(x.value) === t,
        );
        if (!o) throw new Error(`typing "${t}" in "${label}" offers no such option`);
        picked.push(o);
      }
      this.d.setValue(v.id, String(block.block_id), actionId, {
        type: "multi_external_select",
        selected_options: picked,
      });
      return;
    }
    switch (el.type) {
      case "plain_text_input":
        state = { type: "plain_text_input", value: String(value) };
        break;
      case "checkboxes":
      case "multi_static_select":
        state = {
          type: String(el.type),
          selected_options: pick(Array.isArray(value) ? value : [value]),
        };
        break;
      case "radio_buttons":
      case "static_select":
        state = { type: String(el.type), selected_option: pick([String(value)])[0] };
        break;
      case "users_select":
        state = { type: "users_select", selected_user: String(value) };
        break;
      case "datepicker":
        state = { type: "datepicker", selected_date: String(value) };
        break;
      default:
        throw new Error(`cannot fill ${String(el.type)}`);
    }
    this.d.setValue(v.id, String(block.block_id), actionId, state);
  }

  /** Creates a key through the create modal (as an owner); returns the secret it showed once. */
  async createKey(
    name: string,
    perms: Record<string, string[]> = {},
    keyOwner?: string,
  ): Promise<string> {
    await this.run("create");
    await this.fill("Name", name);
    if (keyOwner) await this.fill("Key owner", keyOwner);
    for (const [label, scopes] of Object.entries(perms)) await this.fill(label, scopes);
    await this.submit();
    const secret = secretIn(this.modal());
    await this.d.close(this.id, this.modal().id);
    return secret;
  }

  async submit() {
    const r = await this.d.submit(this.id, this.modal().id);
    expect(r.status).toBe(200);
    await settle(this.h);
    return r;
  }
}

export const person = (h: Harness, who: Who) => new Person(h, PEOPLE[who].id);

/** Lets the app finish work it does after acknowledging, and delivers notifications. */
export async function settle(h: Harness): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 15));
    await h.app.worker?.drain();
  }
}

/**
 * Waits for the app to finish every Slack event it has taken (the work after each ack
 * included), then delivers the notifications that work wrote; until nothing is left.
 */
export async function quiet(h: Harness): Promise<void> {
  for (;;) {
    await h.app.slack?.work.idle();
    await h.app.worker?.drain();
    if ((h.app.slack?.work.size ?? 0) === 0) return;
  }
}

/** Every surface the app sent to Slack, checked against Block Kit limits. */
export function expectAllWithinLimits(h: Harness): void {
  for (const call of h.slack.api.calls) {
    if (!call.ok) continue;
    if (["views.open", "views.update", "views.push", "views.publish"].includes(call.method)) {
      const view = typeof call.args.view === "string" ? JSON.parse(call.args.view) : call.args.view;
      expect(checkView(view), `${call.method}`).toEqual([]);
    }
    if (
      call.method === "chat.postMessage" ||
      call.method === "chat.update" ||
      call.method === "chat.postEphemeral"
    ) {
      const blocks =
        typeof call.args.blocks === "string" ? JSON.parse(call.args.blocks) : call.args.blocks;
      expect(checkMessage({ text: call.args.text, blocks }), call.method).toEqual([]);
    }
  }
  for (const s of h.slack.driver.sent) {
    const body = s.answer?.json;
    if (body?.response_action === "update" || body?.response_action === "push") {
      expect(checkView(body.view), "response_action view").toEqual([]);
    }
    if (s.kind === "command" && body && (body.blocks || body.text)) {
      expect(checkMessage(body as never)).toEqual([]);
    }
  }
  for (const p of h.slack.responsePosts) {
    if (!p.body.delete_original) expect(checkMessage(p.body as never), "response_url").toEqual([]);
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

/** Neither the database file nor its WAL holds any of these secrets. */
export function expectNoSecretsInDatabase(h: Harness, secrets: string[]): void {
  const files = ["keyward.db", "keyward.db-wal"]
    .map((f) => join(h.dir, f))
    .filter((f) => existsSync(f));
  for (const f of files) {
    const bytes = readFileSync(f).toString("latin1");
    for (const s of secrets) expect(bytes.includes(s), `${f} holds a secret`).toBe(false);
  }
}

/**
 * Stops a harness after checking, across everything it did, that no secret it showed reached
 * an outgoing payload, a log line or the database file.
 */
export async function stopChecked(
  h: Harness,
  o: { expectSecrets?: boolean; scrubbingAllowed?: boolean } = {},
): Promise<void> {
  const secrets = secretsShown(h);
  if (o.expectSecrets) expect(secrets.length).toBeGreaterThan(0);
  // The log scrubber is a last resort: the app itself never hands a secret-shaped string to
  // the logger (unless a test sends one in on purpose).
  if (!o.scrubbingAllowed) expect(scrubStats.lines, "log lines that needed scrubbing").toBe(0);
  expectNoSecretsLeaked(h, secrets);
  expectNoSecretsInDatabase(h, secrets);
  await h.stop();
}

/** The secret shown in the one-time modal. */
export function secretIn(v: View): string {
  const m = /```(kw_[0-9A-Za-z]{46})```/.exec(textOf(v.view.blocks));
  if (!m?.[1]) throw new Error(`no secret in the modal: ${textOf(v.view.blocks).slice(0, 300)}`);
  return m[1];
}

export async function verify(h: Harness, body: Json) {
  const res = await fetch(`${h.app.url}/v1/verify`, {
    method: "POST",
    headers: { authorization: `Bearer ${VERIFY_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Json;
}
