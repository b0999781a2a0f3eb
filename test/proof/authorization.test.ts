// The authorization matrix: every command, click, suggestion, submission and event × every
// role, as crafted signed requests. Refused means a refusal in words and no change in the
// database; nothing outside the table is allowed. The rows are held against what the app
// itself registers: a listener, subcommand or menu verb without a row fails the first test.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../src/domain/keys/create.ts";
import { disableKey } from "../../src/domain/keys/disable.ts";
import { regenerateKey } from "../../src/domain/keys/regenerate.ts";
import { may, refusal, type Verb } from "../../src/domain/permissions.ts";
import { approveRequest } from "../../src/domain/requests/decide.ts";
import { newPublicId, newSecret } from "../../src/domain/secrets.ts";
import type { Role } from "../../src/domain/types.ts";
import { dayOf } from "../../src/domain/usage/days.ts";
import { UNUSED_DAYS } from "../../src/domain/usage/unused.ts";
import type { Json } from "../../src/sandbox/standin/workspace.ts";
import {
  ACTION_ID,
  CALLBACK_ID,
  DIGEST_VERBS,
  KEY_COMMAND_VERBS,
  KEY_VERBS,
  SHORTCUT_ID,
} from "../../src/slack/blocks/ids.ts";
import { SUBCOMMANDS } from "../../src/slack/commands/apikeys.ts";
import type { Subcommand } from "../../src/slack/commands/parse.ts";
import { DAY } from "../helpers/clock.ts";
import { rows } from "../helpers/db-rows.ts";
import { button, type Found, textOf } from "../helpers/slack/finders.ts";
import { GENERAL, type Harness, PEOPLE, quiet } from "../helpers/slack/harness.ts";
import { stopChecked } from "../helpers/slack/invariants.ts";
import { type Person, person } from "../helpers/slack/person.ts";
import { seeded } from "../helpers/slack/seeded.ts";

type Who = "owner" | "oncall" | "member" | "removed";
const ROLES: Who[] = ["owner", "oncall", "member", "removed"];
const ID: Record<Who, string> = {
  owner: PEOPLE.owner2.id,
  oncall: PEOPLE.oncall.id,
  member: PEOPLE.member.id,
  // An owner until a minute ago.
  removed: PEOPLE.member2.id,
};
/** Sets things up and asks for new keys and requests; never one of the roles under test. */
const ADMIN = PEOPLE.owner.id;

let h: Harness;
let n = 0;
const changes = () => rows(h.app.store, "select id from audit_events").length;

/** How every refusal reads ("Only account owners can …", "You cannot decide your own …"). */
const REFUSAL = /\bOnly [^.\n]* can |You cannot /;

/** What the person saw after acting: a modal, an answer, or a refusal. */
interface Outcome {
  refused: boolean;
  changed: boolean;
  /** Something visibly happened: a modal opened, an answer came, or the submission was taken. */
  acted: boolean;
  /** What the person was told, if anything. */
  said?: string;
}

const VIEW_CALLS = ["views.open", "views.update", "views.push", "views.publish"];

/**
 * Runs one act as `who` and reads what came of it from everything the app sent back: the
 * acknowledgement, response-URL posts, views opened, updated or published, and DMs to them.
 */
async function outcome(who: Who, act: () => Promise<{ json?: Json }>): Promise<Outcome> {
  const calls = h.slack.api.calls.length;
  const posts = h.slack.responsePosts.length;
  const before = changes();
  const answer = await act();
  await quiet(h);
  const said: string[] = [];
  if (answer.json && Object.keys(answer.json).length) said.push(JSON.stringify(answer.json));
  for (const p of h.slack.responsePosts.slice(posts)) {
    said.push(textOf(p.body.blocks) || String(p.body.text ?? ""));
  }
  for (const c of h.slack.api.calls.slice(calls)) {
    if (!c.ok) continue;
    if (VIEW_CALLS.includes(c.method)) {
      const view = typeof c.args.view === "string" ? JSON.parse(c.args.view) : c.args.view;
      said.push(textOf((view as Json).blocks) || "(a view)");
    }
    if (c.method === "chat.postMessage" && c.args.channel === ID[who])
      said.push(String(c.args.text));
  }
  for (;;) {
    const open = h.slack.ws.topModal(ID[who]);
    if (!open) break;
    await h.slack.driver.close(ID[who], open.id);
  }
  const text = said.join("\n");
  const changed = changes() > before;
  return { refused: REFUSAL.test(text), changed, acted: said.length > 0 || changed, said: text };
}

const command = (who: Who, text: string) =>
  outcome(who, () => h.slack.driver.command(ID[who], GENERAL, text));

/** A modal the admin opened and filled, then submitted by someone else (a crafted submission). */
async function submitAs(who: Who, open: string, fill: (viewId: string) => void): Promise<Outcome> {
  await h.slack.driver.command(ADMIN, GENERAL, open);
  await quiet(h);
  const v = h.slack.ws.topModal(ADMIN);
  if (!v) throw new Error(`no modal for "${open}"`);
  fill(v.id);
  const before = changes();
  const r = await h.slack.driver.submit(ID[who], v.id);
  expect(r.status).toBe(200);
  await quiet(h);
  await h.slack.driver.close(ADMIN, v.id).catch(() => undefined);
  const said = JSON.stringify(r.json ?? {});
  return {
    refused: REFUSAL.test(said),
    changed: changes() > before,
    // Something visibly happened: the next view, or the form closed on a change it made.
    acted: r.json?.response_action === "update" || (!r.json?.response_action && changes() > before),
    said,
  };
}

/** A submission of a modal the admin opened by clicking `f` in message `m`. */
async function submitFromClick(
  who: Who,
  m: { channel: string; ts: string },
  f: Found,
  fill: (viewId: string) => void = () => {},
): Promise<Outcome> {
  await h.slack.driver.click(ADMIN, { kind: "message", ...m }, f);
  await quiet(h);
  const v = h.slack.ws.topModal(ADMIN);
  if (!v) throw new Error("the click opened no modal");
  fill(v.id);
  const before = changes();
  const r = await h.slack.driver.submit(ID[who], v.id);
  expect(r.status).toBe(200);
  await quiet(h);
  await h.slack.driver.close(ADMIN, v.id).catch(() => undefined);
  const said = JSON.stringify(r.json ?? {});
  return {
    refused: REFUSAL.test(said),
    changed: changes() > before,
    // Something visibly happened: the next view, or the form closed on a change it made.
    acted: r.json?.response_action === "update" || (!r.json?.response_action && changes() > before),
    said,
  };
}

/** A message holding one element with exactly this action and value: a crafted click's source. */
function crafted(actionId: string, value: string, overflow = false) {
  const element = overflow
    ? {
        type: "overflow",
        action_id: actionId,
        options: [{ text: { type: "plain_text", text: "x" }, value }],
      }
    : { type: "button", action_id: actionId, value, text: { type: "plain_text", text: "x" } };
  const m = h.slack.ws.post({
    channel: GENERAL,
    user: "U0KEYWARD",
    text: "crafted",
    blocks: [{ type: "actions", block_id: `crafted${++n}`, elements: [element] }],
  });
  return {
    surface: { kind: "message" as const, channel: m.channel, ts: m.ts },
    ref: { blockId: `crafted${n}`, actionId, optionValue: overflow ? value : undefined },
  };
}

const clickCrafted = (who: Who, actionId: string, value: string, overflow = false) => {
  const c = crafted(actionId, value, overflow);
  return outcome(who, () => h.slack.driver.click(ID[who], c.surface, c.ref));
};

const text = (value: string) => ({ type: "plain_text_input", value });
const keyIdValue = (keyId: number) => JSON.stringify({ keyId });
const requestIdValue = (requestId: number) => JSON.stringify({ requestId });
const keyName = (i: number) => `Matrix ${i}`;
/** A key just made is at version 1. */
const unusedValue = (keyId: number, since: number) => JSON.stringify({ keyId, version: 1, since });

async function freshKey(): Promise<{ id: number; name: string }> {
  n += 1;
  const { key } = await createKey(h.app.ctx, ADMIN, {
    name: keyName(n),
    keyOwner: ADMIN,
    cells: [{ scope: "acme", api: "analytics" }],
    expiresAt: null,
  });
  return { id: key.id, name: key.name };
}

/** A pending request by the admin, and the card an owner got for it. */
async function pendingRequest(): Promise<{ id: number; card: { channel: string; ts: string } }> {
  const k = await freshKey();
  const admin = person(h, "owner");
  await admin.run("request");
  await admin.fill("Key", k.name);
  await admin.fill("Orders/Tickets API Read", ["acme"]);
  await admin.fill("For how long", "1 day");
  await admin.fill("Why", "matrix approval check");
  await admin.submit();
  await h.slack.driver.close(ADMIN, admin.modal().id);
  await quiet(h);
  const id = Number(rows(h.app.store, "select max(id) as id from access_requests")[0]?.id);
  const card = person(h, "owner2")
    .dms()
    .find((m) => m.text.startsWith(`Access request #${id} `));
  if (!card) throw new Error("no card");
  return { id, card: { channel: card.channel, ts: card.ts } };
}

/** Who each role under test is, as a person of the harness. */
const PERSON: Record<Who, keyof typeof PEOPLE> = {
  owner: "owner2",
  oncall: "oncall",
  member: "member",
  removed: "member2",
};

/**
 * A pending request for write access (two owners' approvals) asked by `asker`, and the admin's
 * card for it (Oscar's when the admin asked).
 */
async function writeRequestBy(
  asker: keyof typeof PEOPLE,
  api = "Orders/Tickets API Read/Write",
): Promise<{ id: number; card: { channel: string; ts: string } }> {
  const k = await freshKey();
  const p = person(h, asker);
  await p.run("request");
  await p.fill("Key", k.name);
  await p.fill(api, ["acme"]);
  await p.fill("For how long", "1 day");
  await p.fill("Why", "matrix approval policy check");
  await p.submit();
  await h.slack.driver.close(PEOPLE[asker].id, p.modal().id);
  await quiet(h);
  const id = Number(rows(h.app.store, "select max(id) as id from access_requests")[0]?.id);
  const card = person(h, asker === "owner" ? "owner2" : "owner")
    .dms()
    .find((m) => m.text.startsWith(`Access request #${id} `));
  if (!card) throw new Error("no card");
  return { id, card: { channel: card.channel, ts: card.ts } };
}

/** The admin's own Home tab, where the crafted Home clicks come from. */
async function adminHome() {
  await h.slack.driver.openHome(ADMIN);
  await quiet(h);
  const v = h.slack.ws.views.get(h.slack.ws.homes.get(ADMIN) ?? "");
  if (!v) throw new Error("no Home tab");
  return v;
}

async function clickHome(who: Who, label: string): Promise<Outcome> {
  const v = await adminHome();
  const f = button(v.view.blocks, label);
  return outcome(who, () => h.slack.driver.click(ID[who], { kind: "view", viewId: v.id }, f));
}

/** Who opens their own request modal (the Key picker and the permission pickers live there). */
async function ownRequestModal(who: Who) {
  await h.slack.driver.command(ID[who], GENERAL, "request");
  await quiet(h);
  const v = h.slack.ws.topModal(ID[who]);
  if (!v) throw new Error("no request modal");
  return v;
}

interface Case {
  name: string;
  /** The listener it exercises, as the app registers it (`kind:id`). */
  handler: string;
  /** For `/apikeys`: the subcommand. For menus: the verb. */
  command?: Subcommand;
  verb?: string;
  /** The permission-table verb it needs, or who may, where roles do not decide it. */
  allowed: Verb | Who[];
  run(who: Who): Promise<Outcome>;
  /** Reads never change anything; a refusal is only looked for where the table says so. */
  read?: boolean;
  /** Nothing visible happens for anyone (an acknowledgement only); nothing changes. */
  silent?: boolean;
}

/** Roles as the permission table sees them: an owner whose role was removed is a member. */
const ROLE: Record<Who, Role> = {
  owner: "owner",
  oncall: "oncall",
  member: "member",
  removed: "member",
};
/** Not a matter of roles: anyone may post a message or tick a box; nobody reveals another's key. */
const EVERYONE: Who[] = ROLES;
const NOBODY: Who[] = [];

const CMD = "command:/apikeys";
const act = (id: string | RegExp) => `action:${typeof id === "string" ? id : String(id)}`;

const CASES: Case[] = [
  // `/apikeys` and its subcommands.
  ...(
    [
      ["help", "help", "view"],
      ["list", "list", "view"],
      ["nicknames", "nicknames", "view"],
      ["roles", "roles", "view"],
      ["requests", "requests", "request"],
      ["request", "request", "request"],
      ["audit", "audit", "audit"],
      ["audit_export", "audit export", "audit"],
      ["digest", "digest", "digest"],
      ["create", "create", "create"],
    ] as const
  ).map(
    ([cmd, line, verb]): Case => ({
      name: `/apikeys ${line}`,
      handler: CMD,
      command: cmd,
      allowed: verb,
      read: true,
      run: (w) => command(w, line),
    }),
  ),
  ...(
    [
      ["show", "view"],
      ["edit", "edit"],
      ["regenerate", "regenerate"],
      ["delete", "delete"],
      ["rotate", "rotate"],
      ["disable", "disable"],
    ] as const
  ).map(
    ([cmd, verb]): Case => ({
      name: `/apikeys ${cmd} <key>`,
      handler: CMD,
      command: cmd,
      allowed: verb,
      read: true,
      run: async (w) => command(w, `${cmd} ${(await freshKey()).name}`),
    }),
  ),
  {
    name: "/apikeys enable <key>",
    handler: CMD,
    command: "enable",
    allowed: "enable",
    run: async (w) => {
      const k = await freshKey();
      await disableKey(h.app.ctx, ADMIN, { keyId: k.id, reason: "matrix" });
      return command(w, `enable ${k.name}`);
    },
  },
  {
    name: "/apikeys nickname add",
    handler: CMD,
    command: "nickname_add",
    allowed: "nicknames",
    run: (w) => command(w, `nickname add n${++n} seller`),
  },
  {
    name: "/apikeys nickname remove",
    handler: CMD,
    command: "nickname_remove",
    allowed: "nicknames",
    run: async (w) => {
      await h.slack.driver.command(ADMIN, GENERAL, `nickname add gone${++n} seller`);
      await quiet(h);
      return command(w, `nickname remove gone${n}`);
    },
  },
  {
    name: "/apikeys role add",
    handler: CMD,
    command: "role_add",
    allowed: "roles",
    run: (w) => command(w, `role add <@U0TARG${String(++n).padStart(2, "0")}|t> oncall`),
  },
  {
    name: "/apikeys role remove",
    handler: CMD,
    command: "role_remove",
    allowed: "roles",
    run: async (w) => {
      const target = `U0TARG${String(++n).padStart(2, "0")}`;
      await h.slack.driver.command(ADMIN, GENERAL, `role add <@${target}|t> oncall`);
      await quiet(h);
      return command(w, `role remove <@${target}|t>`);
    },
  },

  // Modal submissions, crafted as someone other than who opened the modal.
  {
    name: "submit create",
    handler: `view:${CALLBACK_ID.createKey}`,
    allowed: "create",
    run: (w) =>
      submitAs(w, "create", (v) =>
        h.slack.driver.setValue(v, "name", "value", text(`Crafted ${++n}`)),
      ),
  },
  {
    name: "submit edit",
    handler: `view:${CALLBACK_ID.editKey}`,
    allowed: "edit",
    run: async (w) =>
      submitAs(w, `edit ${(await freshKey()).name}`, (v) =>
        h.slack.driver.setValue(v, "name", "value", text(`Edited ${++n}`)),
      ),
  },
  {
    name: "submit regenerate",
    handler: `view:${CALLBACK_ID.regenerateKey}`,
    allowed: "regenerate",
    run: async (w) => submitAs(w, `regenerate ${(await freshKey()).name}`, () => {}),
  },
  {
    name: "submit delete",
    handler: `view:${CALLBACK_ID.deleteKey}`,
    allowed: "delete",
    run: async (w) => {
      const k = (await freshKey()).name;
      return submitAs(w, `delete ${k}`, (v) =>
        h.slack.driver.setValue(v, "confirm_name", "value", text(k)),
      );
    },
  },
  {
    name: "submit disable",
    handler: `view:${CALLBACK_ID.disableKey}`,
    allowed: "disable",
    run: async (w) =>
      submitAs(w, `disable ${(await freshKey()).name}`, (v) =>
        h.slack.driver.setValue(v, "reason", "value", text("matrix test reason")),
      ),
  },
  {
    name: "submit rotate",
    handler: `view:${CALLBACK_ID.rotateKey}`,
    allowed: "rotate",
    run: async (w) =>
      submitAs(w, `rotate ${(await freshKey()).name}`, (v) =>
        h.slack.driver.setValue(v, "reason", "value", text("matrix test reason")),
      ),
  },
  {
    name: "submit request",
    handler: `view:${CALLBACK_ID.requestAccess}`,
    allowed: "request",
    run: async (w) => {
      const k = await freshKey();
      const admin = person(h, "owner");
      await admin.run("request");
      await admin.fill("Key", k.name);
      await admin.fill("Orders/Tickets API Read", ["acme"]);
      await admin.fill("For how long", "1 day");
      await admin.fill("Why", "matrix request check");
      const v = admin.modal();
      const before = changes();
      const r = await h.slack.driver.submit(ID[w], v.id);
      await quiet(h);
      await h.slack.driver.close(ADMIN, v.id).catch(() => undefined);
      const said = JSON.stringify(r.json ?? {});
      return {
        refused: REFUSAL.test(said),
        changed: changes() > before,
        // Something visibly happened: the next view, or the form closed on a change it made.
        acted:
          r.json?.response_action === "update" || (!r.json?.response_action && changes() > before),
        said,
      };
    },
  },
  {
    name: "submit deny",
    handler: `view:${CALLBACK_ID.denyRequest}`,
    allowed: "decide",
    run: async (w) => {
      const { card } = await pendingRequest();
      const m = h.slack.ws.findMessage(card.channel, card.ts);
      return submitFromClick(w, card, button(m?.blocks, "Deny"), (v) =>
        h.slack.driver.setValue(v, "reason", "value", text("matrix deny reason")),
      );
    },
  },
  {
    name: "submit reveal (someone else's new key)",
    handler: `view:${CALLBACK_ID.revealKey}`,
    allowed: NOBODY,
    run: async (w) => {
      const dm = await approvedNewKey();
      return submitFromClick(w, dm, button(dm.blocks, "Reveal key"));
    },
  },

  {
    name: "submit reveal new secret (someone else's key)",
    handler: `view:${CALLBACK_ID.revealHandover}`,
    allowed: NOBODY,
    run: async (w) => {
      const dm = await handedOverKey();
      return submitFromClick(w, dm, button(dm.blocks, "Reveal new secret"));
    },
  },

  // Clicks.
  {
    name: "list page (Next)",
    handler: act(new RegExp(`^${ACTION_ID.keysPage}:`)),
    allowed: "view",
    read: true,
    run: (w) =>
      clickCrafted(w, `${ACTION_ID.keysPage}:next`, JSON.stringify({ offset: 0, text: "" })),
  },
  {
    name: "Quick view",
    handler: act(ACTION_ID.quickView),
    allowed: "view",
    read: true,
    run: async (w) => clickCrafted(w, ACTION_ID.quickView, keyIdValue((await freshKey()).id)),
  },
  ...(["edit", "regenerate", "delete", "rotate", "disable"] as const).map(
    (verb): Case => ({
      name: `Actions menu: ${verb}`,
      handler: act(ACTION_ID.keyMenu),
      verb,
      allowed: verb,
      read: true,
      run: async (w) =>
        clickCrafted(
          w,
          ACTION_ID.keyMenu,
          JSON.stringify({ verb, keyId: (await freshKey()).id }),
          true,
        ),
    }),
  ),
  {
    name: "Actions menu: enable",
    handler: act(ACTION_ID.keyMenu),
    verb: "enable",
    allowed: "enable",
    run: async (w) => {
      const k = await freshKey();
      await disableKey(h.app.ctx, ADMIN, { keyId: k.id, reason: "matrix" });
      return clickCrafted(
        w,
        ACTION_ID.keyMenu,
        JSON.stringify({ verb: "enable", keyId: k.id }),
        true,
      );
    },
  },
  {
    name: "audit page (Older)",
    handler: act(ACTION_ID.auditPage),
    allowed: "audit",
    read: true,
    run: (w) => clickCrafted(w, ACTION_ID.auditPage, JSON.stringify({ beforeId: 1_000_000 })),
  },
  {
    name: "Approve on an owner's card",
    handler: act(ACTION_ID.approveRequest),
    allowed: "decide",
    run: async (w) => {
      const { card } = await pendingRequest();
      const m = h.slack.ws.findMessage(card.channel, card.ts);
      return outcome(w, () =>
        h.slack.driver.click(ID[w], { kind: "message", ...card }, button(m?.blocks, "Approve")),
      );
    },
  },
  // The approval policy: a write request's first approval, one's own request, twice.
  {
    name: "Approve a request adding a write API (the first of two approvals)",
    handler: act(ACTION_ID.approveRequest),
    allowed: "decide",
    run: async (w) => {
      const { card } = await writeRequestBy("owner");
      const m = h.slack.ws.findMessage(card.channel, card.ts);
      return outcome(w, () =>
        h.slack.driver.click(ID[w], { kind: "message", ...card }, button(m?.blocks, "Approve")),
      );
    },
  },
  {
    name: "Approve one's own request",
    handler: act(ACTION_ID.approveRequest),
    allowed: NOBODY,
    run: async (w) => {
      const { id } = await writeRequestBy(PERSON[w]);
      return clickCrafted(w, ACTION_ID.approveRequest, requestIdValue(id));
    },
  },
  {
    name: "Approve a request one approved already",
    handler: act(ACTION_ID.approveRequest),
    allowed: NOBODY,
    run: async (w) => {
      const { id } = await writeRequestBy("member");
      await approveRequest(h.app.ctx, w === "owner" ? ID.owner : ADMIN, { requestId: id });
      await quiet(h);
      return clickCrafted(w, ACTION_ID.approveRequest, requestIdValue(id));
    },
  },
  {
    name: "submit deny of one's own request (withdrawing it)",
    handler: `view:${CALLBACK_ID.denyRequest}`,
    allowed: "decide",
    run: async (w) => {
      const { card } = await writeRequestBy(PERSON[w]);
      const m = h.slack.ws.findMessage(card.channel, card.ts);
      return submitFromClick(w, card, button(m?.blocks, "Deny"), (v) =>
        h.slack.driver.setValue(v, "reason", "value", text("withdrawn by the requester")),
      );
    },
  },
  {
    name: "Deny on an owner's card",
    handler: act(ACTION_ID.denyRequest),
    allowed: "decide",
    read: true,
    run: async (w) => {
      const { card } = await pendingRequest();
      const m = h.slack.ws.findMessage(card.channel, card.ts);
      return outcome(w, () =>
        h.slack.driver.click(ID[w], { kind: "message", ...card }, button(m?.blocks, "Deny")),
      );
    },
  },
  {
    name: "checking a card's permissions",
    handler: act(ACTION_ID.requestCells),
    allowed: EVERYONE,
    silent: true,
    run: async (w) => {
      const { card } = await pendingRequest();
      const m = h.slack.ws.findMessage(card.channel, card.ts);
      const block = (m?.blocks ?? []).find((b) => String(b.block_id).startsWith("cells:"));
      return outcome(w, () =>
        h.slack.driver.check(
          ID[w],
          card,
          { blockId: String(block?.block_id), actionId: ACTION_ID.requestCells },
          [],
        ),
      );
    },
  },
  {
    name: "Reveal key (someone else's)",
    handler: act(ACTION_ID.revealKey),
    allowed: NOBODY,
    run: async (w) => {
      const dm = await approvedNewKey();
      return outcome(w, () =>
        h.slack.driver.click(ID[w], { kind: "message", ...dm }, button(dm.blocks, "Reveal key")),
      );
    },
  },
  {
    name: "Reveal new secret (someone else's key)",
    handler: act(ACTION_ID.revealHandover),
    allowed: NOBODY,
    run: async (w) => {
      const dm = await handedOverKey();
      return outcome(w, () =>
        h.slack.driver.click(
          ID[w],
          { kind: "message", ...dm },
          button(dm.blocks, "Reveal new secret"),
        ),
      );
    },
  },
  {
    name: "digest: Review a request",
    handler: act(ACTION_ID.digestButton),
    verb: "review",
    allowed: "decide",
    read: true,
    run: async (w) => {
      const { id } = await pendingRequest();
      return clickCrafted(
        w,
        ACTION_ID.digestButton,
        JSON.stringify({ verb: "review", requestId: id }),
      );
    },
  },
  {
    name: "digest: Disable a key",
    handler: act(ACTION_ID.digestButton),
    verb: "disable",
    allowed: "disable",
    read: true,
    run: async (w) => {
      const { id } = await freshKey();
      return clickCrafted(
        w,
        ACTION_ID.digestButton,
        JSON.stringify({ verb: "disable", keyId: id }),
      );
    },
  },
  {
    name: "digest: Edit a key",
    handler: act(ACTION_ID.digestButton),
    verb: "edit",
    allowed: "edit",
    read: true,
    run: async (w) => {
      const { id } = await freshKey();
      return clickCrafted(w, ACTION_ID.digestButton, JSON.stringify({ verb: "edit", keyId: id }));
    },
  },
  {
    name: "leak warning: Rotate now",
    handler: act(new RegExp(`^${ACTION_ID.rotateNow}(:|$)`)),
    allowed: "rotate",
    read: true,
    run: async (w) =>
      clickCrafted(w, `${ACTION_ID.rotateNow}:x`, keyIdValue((await freshKey()).id)),
  },
  {
    name: "Home: Request access",
    handler: act(ACTION_ID.homeRequest),
    allowed: "request",
    read: true,
    run: (w) => clickHome(w, "Request access"),
  },
  {
    name: "Home: Create key",
    handler: act(ACTION_ID.homeCreate),
    allowed: "create",
    read: true,
    run: (w) => clickHome(w, "Create key"),
  },
  {
    name: "Home: Refresh",
    handler: act(ACTION_ID.homeRefresh),
    allowed: "view",
    read: true,
    run: (w) => clickHome(w, "Refresh"),
  },
  {
    name: "Home: Approve all",
    handler: act(ACTION_ID.approveRequest),
    allowed: "decide",
    run: async (w) => {
      // Someone else's (the admin's own requests offer the admin no Approve), newest first.
      await writeRequestBy("member", "Orders/Tickets API Read");
      return clickHome(w, "Approve all");
    },
  },
  {
    name: "Home: Deny",
    handler: act(ACTION_ID.denyRequest),
    allowed: "decide",
    read: true,
    run: async (w) => {
      await pendingRequest();
      return clickHome(w, "Deny");
    },
  },
  {
    name: "request modal: picking the key",
    handler: act(ACTION_ID.keyChoice),
    allowed: "request",
    read: true,
    run: async (w) => {
      const k = await freshKey();
      const v = await ownRequestModal(w);
      return outcome(w, async () => {
        const r = await h.slack.driver.choose(ID[w], v.id, "key", ACTION_ID.keyChoice, {
          text: { type: "plain_text", text: k.name },
          value: keyIdValue(k.id),
        });
        return r ?? {};
      });
    },
  },

  // "Did you mean …?" after a key command that named no key exactly.
  ...(["show", "edit", "regenerate", "rotate", "disable", "delete"] as const).map(
    (verb): Case => ({
      name: `did you mean: ${verb}`,
      handler: act(ACTION_ID.keySuggestion),
      verb,
      allowed: verb === "show" ? "view" : verb,
      read: true,
      run: async (w) =>
        clickCrafted(
          w,
          ACTION_ID.keySuggestion,
          JSON.stringify({ verb, keyId: (await freshKey()).id }),
        ),
    }),
  ),
  {
    name: "did you mean: enable",
    handler: act(ACTION_ID.keySuggestion),
    verb: "enable",
    allowed: "enable",
    run: async (w) => {
      const k = await freshKey();
      await disableKey(h.app.ctx, ADMIN, { keyId: k.id, reason: "matrix" });
      return clickCrafted(
        w,
        ACTION_ID.keySuggestion,
        JSON.stringify({ verb: "enable", keyId: k.id }),
      );
    },
  },
  {
    name: "submit the key picker (edit)",
    handler: `view:${CALLBACK_ID.keyPick}`,
    allowed: "edit",
    read: true,
    run: async (w) => {
      const k = await freshKey();
      return submitAs(w, "edit", (v) =>
        h.slack.driver.setValue(v, "key", ACTION_ID.keyPick, {
          type: "external_select",
          selected_option: { text: { type: "plain_text", text: k.name }, value: keyIdValue(k.id) },
        }),
      );
    },
  },

  // Suggestions as the person types.
  {
    name: "options: keys in the key picker",
    handler: `options:${ACTION_ID.keyPick}`,
    allowed: "view",
    read: true,
    run: async (w) => {
      await freshKey();
      await h.slack.driver.command(ID[w], GENERAL, "show");
      await quiet(h);
      const v = h.slack.ws.topModal(ID[w]);
      if (!v) throw new Error("no key picker");
      const options = await h.slack.driver.suggest(ID[w], v.id, "key", ACTION_ID.keyPick, "Matrix");
      await h.slack.driver.close(ID[w], v.id);
      return { refused: false, changed: false, acted: options.length > 0 };
    },
  },
  {
    name: "options: keys in the request modal",
    handler: `options:${ACTION_ID.keyChoice}`,
    allowed: "request",
    read: true,
    run: async (w) => {
      const v = await ownRequestModal(w);
      const options = await h.slack.driver.suggest(ID[w], v.id, "key", ACTION_ID.keyChoice, "");
      await h.slack.driver.close(ID[w], v.id);
      return { refused: false, changed: false, acted: options.length > 0 };
    },
  },
  {
    name: "options: nicknames for a permission",
    handler: `options:${ACTION_ID.permissionScopes}`,
    allowed: "request",
    read: true,
    run: async (w) => {
      const v = await ownRequestModal(w);
      const options = await h.slack.driver.suggest(
        ID[w],
        v.id,
        "perm:analytics",
        ACTION_ID.permissionScopes,
        "",
      );
      await h.slack.driver.close(ID[w], v.id);
      return {
        refused: false,
        changed: false,
        acted: options.some((o) => JSON.stringify(o).includes("acme")),
      };
    },
  },

  // Events.
  {
    name: "opening the Home tab",
    handler: "event:app_home_opened",
    allowed: "view",
    read: true,
    run: (w) => outcome(w, () => h.slack.driver.openHome(ID[w])),
  },
  {
    name: "posting a key in a channel",
    handler: "event:message",
    allowed: EVERYONE,
    read: true,
    run: async (w) => {
      const stranger = newSecret(newPublicId());
      const before = changes();
      const calls = h.slack.api.calls.length;
      await h.slack.driver.say(ID[w], GENERAL, `oops ${stranger}`);
      await quiet(h);
      const warned = h.slack.api.calls
        .slice(calls)
        .some((c) => c.method === "chat.postMessage" && c.args.channel === GENERAL);
      // A well-formed key that matches no key is reported in the thread, not audited.
      return { refused: false, changed: changes() > before, acted: warned };
    },
  },

  // Shortcuts.
  {
    name: "shortcut: Report leaked key (a DM the bot is not in)",
    handler: `shortcut:${SHORTCUT_ID.reportLeak}`,
    allowed: EVERYONE,
    read: true,
    run: async (w) => {
      const dm = h.slack.ws.dmBetween(ADMIN, ID[w]);
      const { message } = await h.slack.driver.say(
        ADMIN,
        dm.id,
        `try ${newSecret(newPublicId())} on staging`,
      );
      return outcome(w, () =>
        h.slack.driver.messageShortcut(
          ID[w],
          { channel: dm.id, ts: message.ts },
          SHORTCUT_ID.reportLeak,
        ),
      );
    },
  },
  {
    name: "shortcut: Request API access",
    handler: `shortcut:${SHORTCUT_ID.requestAccess}`,
    allowed: "request",
    read: true,
    run: (w) => outcome(w, () => h.slack.driver.globalShortcut(ID[w], SHORTCUT_ID.requestAccess)),
  },

  // Last, as each run moves the clock a month on: the button removes a grant only once it is a
  // month old and went unused that month (the suggestion's window, as Quick view and the digest
  // write it).
  {
    name: "Remove unused grants (Quick view, digest)",
    handler: act(ACTION_ID.removeUnused),
    allowed: "edit",
    run: async (w) => {
      const k = await freshKey();
      h.clock.advance(31 * DAY);
      const since = dayOf(h.clock.now()) - UNUSED_DAYS;
      return clickCrafted(w, ACTION_ID.removeUnused, unusedValue(k.id, since));
    },
  },
  // Expiry reminders and the lifetime fix.
  {
    name: "reminder: Extend a key",
    handler: act(ACTION_ID.extendExpiry),
    allowed: "extend",
    read: true,
    run: async (w) => clickCrafted(w, ACTION_ID.extendExpiry, await expiringKeyValue()),
  },
  {
    // Owners choose a new date; the requester gets the request modal, prefilled; anyone else
    // is refused without learning what the request was for.
    name: "reminder: Extend someone else's time-bound access",
    handler: act(ACTION_ID.extendExpiry),
    allowed: "extend",
    read: true,
    run: async (w) => clickCrafted(w, ACTION_ID.extendExpiry, await grantedValue()),
  },
  {
    name: "reminder: Let it expire (someone else's key)",
    handler: act(ACTION_ID.letExpire),
    allowed: "letExpire",
    run: async (w) => clickCrafted(w, ACTION_ID.letExpire, await expiringKeyValue()),
  },
  {
    name: "submit Extend",
    handler: `view:${CALLBACK_ID.extendExpiry}`,
    allowed: "extend",
    run: async (w) => {
      const c = crafted(ACTION_ID.extendExpiry, await expiringKeyValue());
      return submitFromClick(w, c.surface, c.ref, (v) =>
        h.slack.driver.setValue(v, "until", "value", {
          type: "radio_buttons",
          selected_option: { text: { type: "plain_text", text: "30 days" }, value: "30" },
        }),
      );
    },
  },
  {
    name: "digest: lifetime fix",
    handler: act(ACTION_ID.fixLifetime),
    allowed: "edit",
    run: async (w) => {
      const k = await freshKey();
      h.app.ctx.maxKeyLifetimeDays = 90;
      try {
        return await clickCrafted(
          w,
          ACTION_ID.fixLifetime,
          JSON.stringify({ keyId: k.id, version: 1 }),
        );
      } finally {
        h.app.ctx.maxKeyLifetimeDays = undefined;
      }
    },
  },
];

/** A reminder's button value for a new key of the admin's, expiring in 10 days. */
async function expiringKeyValue(keyId?: number): Promise<string> {
  n += 1;
  const at = new Date(h.clock.now().getTime() + 10 * DAY);
  if (keyId) return JSON.stringify({ subject: "key", id: keyId, at: at.getTime() });
  const { key } = await createKey(h.app.ctx, ADMIN, {
    name: keyName(n),
    keyOwner: ADMIN,
    cells: [{ scope: "acme", api: "analytics" }],
    expiresAt: at,
  });
  return JSON.stringify({ subject: "key", id: key.id, at: at.getTime() });
}

/** A reminder's button value for the admin's approved 1-day access. */
async function grantedValue(): Promise<string> {
  const { id } = await pendingRequest();
  await approveRequest(h.app.ctx, PEOPLE.owner2.id, { requestId: id });
  const [g] = rows<{ at: number }>(
    h.app.store,
    "select expires_at as at from grants where request_id = ?",
    id,
  );
  return JSON.stringify({ subject: "grants", id, at: Number(g?.at) });
}

/** A new key the admin asked for and an owner approved: the admin's DM with Reveal key. */
async function approvedNewKey() {
  const admin = person(h, "owner");
  await admin.run("request");
  await admin.fill("Key", "➕ A new key");
  await admin.fill("Name for the new key", `Asked ${++n}`);
  await admin.fill("Analytics API", ["acme"]);
  await admin.fill("For how long", "1 day");
  await admin.fill("Why", "matrix reveal check");
  await admin.submit();
  await h.slack.driver.close(ADMIN, admin.modal().id);
  await quiet(h);
  const card = person(h, "owner2")
    .dms()
    .filter((m) => m.text.startsWith("Access request #"))
    .at(-1);
  if (!card) throw new Error("no card");
  await person(h, "owner2").click(card, button(card.blocks, "Approve"));
  await quiet(h);
  const dm = admin
    .dms()
    .filter((m) => m.text.startsWith("Your request #"))
    .at(-1);
  if (!dm) throw new Error("no outcome DM");
  return { channel: dm.channel, ts: dm.ts, blocks: dm.blocks };
}

/** A key of the admin's whose new secret another owner left for them: the admin's DM. */
async function handedOverKey() {
  const { id } = await freshKey();
  await regenerateKey(h.app.ctx, PEOPLE.owner2.id, {
    keyId: id,
    grace: "none",
    handTo: "key_owner",
  });
  await quiet(h);
  const dm = person(h, "owner")
    .dms()
    .filter((m) => JSON.stringify(m.blocks).includes(ACTION_ID.revealHandover))
    .at(-1);
  if (!dm) throw new Error("no hand-over DM");
  return { channel: dm.channel, ts: dm.ts, blocks: dm.blocks };
}

beforeAll(async () => {
  // Olivia (the admin) and Oscar are owners from the start; Casey is on-call.
  let admin: Person;
  ({ h, owner: admin } = await seeded({ nicknames: ["acme seller"], oncall: true }));
  // "removed": an owner who lost the role a minute ago.
  await admin.run(`role add <@${ID.removed}|max> owner`);
  await admin.run(`role remove <@${ID.removed}|max>`);
  h.clock.advance(60_000);
});
// Across every proof: no secret in any outgoing payload, log line or the database file.
afterAll(() => stopChecked(h, { expectSecrets: true }));

describe("authorization matrix", () => {
  it("has a row for every listener the app registers, every subcommand and every menu verb", () => {
    const listeners = (h.app.slack?.listeners ?? []).map((l) => `${l.kind}:${l.id}`);
    expect(listeners.length).toBeGreaterThan(20);
    const covered = new Set(CASES.map((c) => c.handler));
    expect(listeners.filter((l) => !covered.has(l))).toEqual([]);
    // And no row names a listener the app does not have.
    expect([...covered].filter((c) => !listeners.includes(c))).toEqual([]);

    const commands = new Set(CASES.map((c) => c.command).filter(Boolean));
    expect(Object.keys(SUBCOMMANDS).filter((c) => !commands.has(c as Subcommand))).toEqual([]);
    const verbs = (handler: string) =>
      new Set(CASES.filter((c) => c.handler === handler).map((c) => c.verb));
    expect(KEY_VERBS.filter((v) => !verbs(act(ACTION_ID.keyMenu)).has(v))).toEqual([]);
    expect(DIGEST_VERBS.filter((v) => !verbs(act(ACTION_ID.digestButton)).has(v))).toEqual([]);
    expect(KEY_COMMAND_VERBS.filter((v) => !verbs(act(ACTION_ID.keySuggestion)).has(v))).toEqual(
      [],
    );
  });

  for (const c of CASES) {
    for (const who of ROLES) {
      const allowed =
        typeof c.allowed === "string" ? may(ROLE[who], c.allowed) : c.allowed.includes(who);
      it(`${c.name} × ${who}: ${c.silent ? "nothing happens" : allowed ? "allowed" : "refused"}`, async () => {
        const out = await c.run(who);
        if (c.silent) {
          expect(out).toMatchObject({ refused: false, changed: false, acted: false });
        } else if (allowed) {
          expect(out.refused).toBe(false);
          expect(out.acted).toBe(true);
          if (!c.read) expect(out.changed).toBe(true);
        } else {
          expect(out.refused).toBe(true);
          expect(out.changed).toBe(false);
          // In the table's own words.
          if (typeof c.allowed === "string") expect(out.said).toContain(refusal(c.allowed));
        }
      });
    }
  }
});

describe("a refusal says nothing about whether the thing exists", () => {
  const cases: Array<[string, string, (id: number) => string, () => Promise<number>]> = [
    ["Deny", ACTION_ID.denyRequest, requestIdValue, async () => (await pendingRequest()).id],
    [
      "Approve (a write request, approved once)",
      ACTION_ID.approveRequest,
      requestIdValue,
      async () => {
        const { id } = await writeRequestBy("member2");
        await approveRequest(h.app.ctx, ADMIN, { requestId: id });
        return id;
      },
    ],
    [
      "the digest's Review",
      ACTION_ID.digestButton,
      (id) => JSON.stringify({ verb: "review", requestId: id }),
      async () => (await pendingRequest()).id,
    ],
    ["Reveal new secret", ACTION_ID.revealHandover, keyIdValue, async () => (await freshKey()).id],
    [
      "Remove unused grants",
      ACTION_ID.removeUnused,
      (id) => unusedValue(id, 1),
      async () => (await freshKey()).id,
    ],
    [
      "Let it expire",
      ACTION_ID.letExpire,
      (id) => JSON.stringify({ subject: "key", id, at: h.clock.now().getTime() + 10 * DAY }),
      async () => Number(JSON.parse(await expiringKeyValue()).id),
    ],
    [
      "Extend a key",
      ACTION_ID.extendExpiry,
      (id) => JSON.stringify({ subject: "key", id, at: h.clock.now().getTime() + 10 * DAY }),
      async () => Number(JSON.parse(await expiringKeyValue()).id),
    ],
    [
      "Reveal key",
      ACTION_ID.revealKey,
      requestIdValue,
      async () => {
        await approvedNewKey();
        return Number(rows(h.app.store, "select max(id) as id from access_requests")[0]?.id);
      },
    ],
  ];
  for (const [name, actionId, value, existing] of cases) {
    it(`${name}: a member is told the same for a real request and a made-up one`, async () => {
      const real = await clickCrafted("member", actionId, value(await existing()));
      const madeUp = await clickCrafted("member", actionId, value(999_999));
      expect(real.refused).toBe(true);
      expect(madeUp.said).toBe(real.said);
    });
  }
});
