// The authorization matrix: every command, click and submission × every role, as crafted
// signed requests. Refused means a refusal in words and no change in the database; nothing
// outside the table is allowed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../helpers/db-rows.ts";
import {
  button,
  GENERAL,
  type Harness,
  PEOPLE,
  person,
  startHarness,
  stopChecked,
  textOf,
} from "../helpers/slack.ts";

type Who = "owner" | "oncall" | "member" | "removed";
const ROLES: Who[] = ["owner", "oncall", "member", "removed"];
const ID: Record<Who, string> = {
  owner: PEOPLE.owner2.id,
  oncall: PEOPLE.oncall.id,
  member: PEOPLE.member.id,
  // An owner until a minute ago.
  removed: PEOPLE.member2.id,
};

let h: Harness;
let n = 0;
const changes = () => rows(h.app.store, "select id from audit_events").length;

/** What the person saw after acting: a modal, an answer, or a refusal. */
interface Outcome {
  refused: boolean;
  changed: boolean;
  /** Something visibly happened: a modal opened, an answer came, or the submission was taken. */
  acted: boolean;
}

async function command(who: Who, text: string): Promise<Outcome> {
  const before = changes();
  const seen = h.slack.ws.visibleTo(ID[who], GENERAL).length;
  const r = await h.slack.driver.command(ID[who], GENERAL, text);
  expect(r.status).toBe(200);
  await new Promise((res) => setTimeout(res, 60));
  await h.app.worker?.drain();
  const said = h.slack.ws
    .visibleTo(ID[who], GENERAL)
    .slice(seen)
    .map((m) => textOf(m.blocks) || m.text)
    .join("\n");
  const modal = h.slack.ws.topModal(ID[who]);
  if (modal) await h.slack.driver.close(ID[who], modal.id);
  return {
    refused: /^Only |cannot/.test(said),
    changed: changes() > before,
    acted: Boolean(modal) || said.length > 0,
  };
}

/** A modal the owner opened, filled, then submitted by someone else (a crafted submission). */
async function submitAs(who: Who, open: string, fill: (viewId: string) => void): Promise<Outcome> {
  await h.slack.driver.command(PEOPLE.owner.id, GENERAL, open);
  await new Promise((res) => setTimeout(res, 60));
  const v = h.slack.ws.topModal(PEOPLE.owner.id);
  if (!v) throw new Error(`no modal for "${open}"`);
  fill(v.id);
  const before = changes();
  const r = await h.slack.driver.submit(ID[who], v.id);
  expect(r.status).toBe(200);
  await h.slack.driver.close(PEOPLE.owner.id, v.id).catch(() => undefined);
  const said = JSON.stringify(r.json ?? {});
  return {
    refused: /Only |cannot/.test(said),
    changed: changes() > before,
    acted: r.json?.response_action === "update",
  };
}

const text = (value: string) => ({ type: "plain_text_input", value });
const key = (i: number) => `Matrix ${i}`;

async function freshKey(): Promise<string> {
  n += 1;
  await person(h, "owner").createKey(key(n), { "Analytics API": ["acme"] });
  return key(n);
}

interface Case {
  name: string;
  allowed: Who[];
  run(who: Who): Promise<Outcome>;
  /** Reads never change anything; a refusal is only looked for where the table says so. */
  read?: boolean;
}

const EVERYONE: Who[] = ["owner", "oncall", "member", "removed"];
const OWNERS: Who[] = ["owner"];
const RESPONDERS: Who[] = ["owner", "oncall"];

const CASES: Case[] = [
  { name: "list", allowed: EVERYONE, read: true, run: (w) => command(w, "list") },
  {
    name: "show",
    allowed: EVERYONE,
    read: true,
    run: async (w) => command(w, `show ${await freshKey()}`),
  },
  { name: "nicknames", allowed: EVERYONE, read: true, run: (w) => command(w, "nicknames") },
  { name: "roles", allowed: EVERYONE, read: true, run: (w) => command(w, "roles") },
  { name: "requests", allowed: EVERYONE, read: true, run: (w) => command(w, "requests") },
  { name: "request (modal)", allowed: EVERYONE, read: true, run: (w) => command(w, "request") },
  { name: "help", allowed: EVERYONE, read: true, run: (w) => command(w, "help") },
  { name: "audit", allowed: RESPONDERS, read: true, run: (w) => command(w, "audit") },
  { name: "digest", allowed: RESPONDERS, read: true, run: (w) => command(w, "digest") },
  { name: "create (modal)", allowed: OWNERS, read: true, run: (w) => command(w, "create") },
  {
    name: "edit (modal)",
    allowed: OWNERS,
    read: true,
    run: async (w) => command(w, `edit ${await freshKey()}`),
  },
  {
    name: "regenerate (modal)",
    allowed: OWNERS,
    read: true,
    run: async (w) => command(w, `regenerate ${await freshKey()}`),
  },
  {
    name: "delete (modal)",
    allowed: OWNERS,
    read: true,
    run: async (w) => command(w, `delete ${await freshKey()}`),
  },
  {
    name: "rotate (modal)",
    allowed: RESPONDERS,
    read: true,
    run: async (w) => command(w, `rotate ${await freshKey()}`),
  },
  {
    name: "disable (modal)",
    allowed: RESPONDERS,
    read: true,
    run: async (w) => command(w, `disable ${await freshKey()}`),
  },
  {
    name: "enable",
    allowed: OWNERS,
    run: async (w) => {
      const k = await freshKey();
      await h.slack.driver.command(PEOPLE.owner.id, GENERAL, `disable ${k}`);
      await new Promise((r) => setTimeout(r, 60));
      await h.slack.driver.submit(PEOPLE.owner.id, h.slack.ws.topModal(PEOPLE.owner.id)?.id ?? "");
      await h.slack.driver.close(PEOPLE.owner.id, h.slack.ws.topModal(PEOPLE.owner.id)?.id ?? "");
      return command(w, `enable ${k}`);
    },
  },
  { name: "nickname add", allowed: OWNERS, run: (w) => command(w, `nickname add n${++n} seller`) },
  {
    name: "nickname remove",
    allowed: OWNERS,
    run: async (w) => {
      await h.slack.driver.command(PEOPLE.owner.id, GENERAL, `nickname add gone${++n} seller`);
      return command(w, `nickname remove gone${n}`);
    },
  },
  {
    name: "role add",
    allowed: OWNERS,
    run: (w) => command(w, `role add <@U0TARG${String(++n).padStart(2, "0")}|t> oncall`),
  },
  {
    name: "role remove",
    allowed: OWNERS,
    run: async (w) => {
      const target = `U0TARG${String(++n).padStart(2, "0")}`;
      await h.slack.driver.command(PEOPLE.owner.id, GENERAL, `role add <@${target}|t> oncall`);
      return command(w, `role remove <@${target}|t>`);
    },
  },
  {
    name: "submit create",
    allowed: OWNERS,
    run: (w) =>
      submitAs(w, "create", (v) =>
        h.slack.driver.setValue(v, "name", "value", text(`Crafted ${++n}`)),
      ),
  },
  {
    name: "submit edit",
    allowed: OWNERS,
    run: async (w) =>
      submitAs(w, `edit ${await freshKey()}`, (v) =>
        h.slack.driver.setValue(v, "name", "value", text(`Edited ${++n}`)),
      ),
  },
  {
    name: "submit regenerate",
    allowed: OWNERS,
    run: async (w) => submitAs(w, `regenerate ${await freshKey()}`, () => {}),
  },
  {
    name: "submit delete",
    allowed: OWNERS,
    run: async (w) => {
      const k = await freshKey();
      return submitAs(w, `delete ${k}`, (v) =>
        h.slack.driver.setValue(v, "confirm_name", "value", text(k)),
      );
    },
  },
  {
    name: "submit disable",
    allowed: RESPONDERS,
    run: async (w) =>
      submitAs(w, `disable ${await freshKey()}`, (v) =>
        h.slack.driver.setValue(v, "reason", "value", text("matrix test reason")),
      ),
  },
  {
    name: "submit rotate",
    allowed: RESPONDERS,
    run: async (w) =>
      submitAs(w, `rotate ${await freshKey()}`, (v) =>
        h.slack.driver.setValue(v, "reason", "value", text("matrix test reason")),
      ),
  },
  {
    name: "approve (button)",
    allowed: OWNERS,
    run: async (w) => {
      const k = await freshKey();
      const member = person(h, "member");
      await member.run("request");
      await member.fill("Key", k);
      await member.fill("Orders/Tickets API Read", ["acme"]);
      await member.fill("For how long", "1 day");
      await member.fill("Why", "matrix approval check");
      await member.submit();
      await h.slack.driver.close(PEOPLE.member.id, member.modal().id);
      await h.app.worker?.drain();
      const card = person(h, "owner")
        .dms()
        .filter((m) => m.text.startsWith("Access request #"))
        .at(-1);
      if (!card) throw new Error("no card");
      const before = changes();
      const seen = h.slack.ws.visibleTo(ID[w], card.channel).length;
      const r = await h.slack.driver.click(
        ID[w],
        { kind: "message", channel: card.channel, ts: card.ts },
        button(card.blocks, "Approve"),
      );
      expect(r.status).toBe(200);
      await new Promise((res) => setTimeout(res, 80));
      const said = h.slack.ws
        .visibleTo(ID[w], card.channel)
        .slice(seen)
        .map((m) => m.text)
        .join("\n");
      return {
        refused: /^Only /.test(said),
        changed: changes() > before,
        acted: changes() > before || said.length > 0,
      };
    },
  },
];

beforeAll(async () => {
  h = await startHarness();

  const owner = person(h, "owner");
  await owner.run("nickname add acme seller");
  await owner.run(`role add <@${PEOPLE.oncall.id}|casey> oncall`);
  await owner.run(`role add <@${ID.owner}|oscar> owner`);
  // "removed": an owner who lost the role a minute ago.
  await owner.run(`role add <@${ID.removed}|max> owner`);
  await owner.run(`role remove <@${ID.removed}|max>`);
  h.clock.advance(60_000);
});
// Across every proof: no secret in any outgoing payload, log line or the database file.
afterAll(() => stopChecked(h, { expectSecrets: true }));

describe("authorization matrix", () => {
  for (const c of CASES) {
    for (const who of ROLES) {
      const allowed = c.allowed.includes(who);
      it(`${c.name} × ${who}: ${allowed ? "allowed" : "refused"}`, async () => {
        const out = await c.run(who);
        if (allowed) {
          expect(out.refused).toBe(false);
          expect(out.acted).toBe(true);
          if (!c.read) expect(out.changed).toBe(true);
        } else {
          expect(out.refused).toBe(true);
          expect(out.changed).toBe(false);
        }
      });
    }
  }
});
