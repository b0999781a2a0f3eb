// Access requests end to end: ask, owners' cards, decide, time passes, reveal once.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { editKey } from "../../src/domain/keys/edit.ts";
import type { Message } from "../../src/sandbox/standin/workspace.ts";
import { ACTION_ID } from "../../src/slack/blocks/ids.ts";
import { HOUR } from "../helpers/clock.ts";
import { rows } from "../helpers/db-rows.ts";
import { button, secretIn, textOf } from "../helpers/slack/finders.ts";
import { type Harness, PEOPLE, quiet, verify } from "../helpers/slack/harness.ts";
import { stopChecked } from "../helpers/slack/invariants.ts";
import type { Person } from "../helpers/slack/person.ts";
import { seeded } from "../helpers/slack/seeded.ts";

let h: Harness;
let owner: Person;
let owner2: Person;
let member: Person;
let keySecret: string;

beforeEach(async () => {
  ({ h, owner, owner2, member } = await seeded({
    nicknames: ["acme seller", "acme_aff affiliate"],
  }));
  keySecret = await owner.createKey("Billing sync", { "Analytics API": ["acme"] });
});
// Every surface within Block Kit limits; no secret shown anywhere but its one-time modal.
afterEach(() => stopChecked(h));

async function ask(
  who: Person,
  p: {
    key: string;
    perms: Record<string, string[]>;
    duration: string;
    reason: string;
    newName?: string;
  },
) {
  await who.run("request");
  await who.fill("Key", p.key);
  if (p.newName) await who.fill("Name for the new key", p.newName);
  for (const [label, scopes] of Object.entries(p.perms)) await who.fill(label, scopes);
  if (p.duration) await who.fill("For how long", p.duration);
  await who.fill("Why", p.reason);
  return who.submit();
}

const card = (who: Person, id: number): Message => {
  const m = who.dms().find((x) => x.text.startsWith(`Access request #${id} `));
  if (!m) throw new Error(`no card #${id} for ${who.id}`);
  return m;
};

async function memberAsks(
  duration = "1 day",
  perms: Record<string, string[]> = {
    "Analytics API": ["acme_aff"],
    "Orders/Tickets API Read": ["acme"],
  },
) {
  await ask(member, {
    key: "Billing sync",
    perms,
    duration,
    reason: "Nightly reconciliation job for finance",
  });
  const sent = /Request \*#(\d+)\* went to the account owners/.exec(
    textOf(member.modal().view.blocks),
  );
  expect(sent).not.toBeNull();
  return Number(sent?.[1]);
}

describe("asking", () => {
  it("sends every owner a card with the before → after grid, duration and reason", async () => {
    const id = await memberAsks();
    for (const o of [owner, owner2]) {
      const c = textOf(card(o, id).blocks);
      expect(c).toContain(`<@${PEOPLE.member.id}> asks for access on *Billing sync*`);
      expect(c).toContain("`acme_aff`: nothing → *Analytics API*");
      expect(c).toContain("`acme`: Analytics API → *Analytics API, Orders/Tickets API Read*");
      expect(c).toContain("1 day");
      expect(c).toContain("Nightly reconciliation job for finance");
      button(card(o, id).blocks, "Approve");
      button(card(o, id).blocks, "Deny");
    }
    expect(
      rows(h.app.store, "select action from audit_events where action = 'request.created'"),
    ).toHaveLength(1);
  });

  it("shows what the chosen key already has, and refuses bad requests under the field", async () => {
    await member.run("request");
    await member.fill("Why", "typed before picking the key");
    await member.fill("Key", "Billing sync");
    // What was typed survives the redraw (same block and action ids), as in Slack.
    expect(h.slack.ws.views.get(member.modal().id)?.values.reason?.value?.value).toBe(
      "typed before picking the key",
    );

    // Picking the key redrew the modal with what the key already has.
    expect(textOf(member.modal().view.blocks)).toContain(
      "*Billing sync* already has: Analytics API on acme",
    );
    await member.fill("Analytics API", ["acme"]);
    await member.fill("Why", "too short");
    let r = await member.submit();
    expect(r.json?.errors).toMatchObject({
      reason: "Say why you need it, in at least 10 characters.",
    });
    await member.fill("Why", "I need it for the monthly report");
    r = await member.submit();
    expect(r.json?.errors).toMatchObject({ duration: "Pick how long you need it." });
    await member.fill("For how long", "7 days");
    r = await member.submit();
    expect(r.json?.errors).toMatchObject({
      "perm:analytics": '"Billing sync" already has everything you asked for.',
    });
  });
});

describe("the request form", () => {
  it("shows every error at once, and asks a new key's name only for a new key", async () => {
    await member.run("request");
    const labels = () =>
      (member.modal().view.blocks as Array<{ type: string; label?: { text: string } }>)
        .filter((b) => b.type === "input")
        .map((b) => b.label?.text);
    expect(labels()).not.toContain("Name for the new key");
    await member.fill("Why", "short");
    const r = await member.submit();
    expect(r.json?.errors).toEqual({
      key: "Pick a key, or “A new key”.",
      "perm:analytics": "Pick at least one API for at least one nickname.",
      duration: "Pick how long you need it.",
      reason: "Say why you need it, in at least 10 characters.",
    });
    await member.fill("Key", "➕ A new key");
    expect(labels()).toContain("Name for the new key");
  });
});

describe("deciding", () => {
  it("approves: the verification API reflects it, the requester hears, every card shows who decided", async () => {
    const id = await memberAsks();
    expect(
      await verify(h, { key: keySecret, nickname: "acme_aff", api: "analytics" }),
    ).toMatchObject({ allowed: false });
    await owner.click(card(owner, id), button(card(owner, id).blocks, "Approve"));
    expect(
      await verify(h, { key: keySecret, nickname: "acme_aff", api: "analytics" }),
    ).toMatchObject({ allowed: true });
    expect(await verify(h, { key: keySecret, nickname: "acme", api: "orders:read" })).toMatchObject(
      { allowed: true },
    );
    const outcome = textOf(
      member.dms().find((m) => m.text.startsWith(`Your request #${id}`))?.blocks,
    );
    expect(outcome).toContain(`*Approved* by <@${PEOPLE.owner.id}>`);
    expect(outcome).toContain("+ Analytics API on acme_aff until");
    for (const o of [owner, owner2]) {
      const c = card(o, id);
      expect(c.editedAt).toBeDefined();
      expect(textOf(c.blocks)).toContain(`*Approved* by <@${PEOPLE.owner.id}>`);
      expect(JSON.stringify(c.blocks)).not.toContain('"Approve"');
    }
  });

  it("answers a click on a stale card that it was already decided, changing nothing", async () => {
    const id = await memberAsks();
    const stale = card(owner2, id);
    const staleBlocks = structuredClone(stale.blocks);
    const approve = button(stale.blocks, "Approve");
    await owner.click(card(owner, id), button(card(owner, id).blocks, "Approve"));
    const before = rows(h.app.store, "select * from audit_events").length;
    // Owner 2 clicks the copy of the card they had before it was redrawn.
    stale.blocks = staleBlocks;
    await owner2.click(stale, approve);
    expect(owner2.last(stale.channel).text).toMatch(
      new RegExp(`Request #${id} was already approved by <@${PEOPLE.owner.id}>`),
    );
    expect(rows(h.app.store, "select * from audit_events")).toHaveLength(before);
  });

  it("lets an owner uncheck cells before approving; the requester is told what was left out", async () => {
    const id = await memberAsks();
    const c = card(owner, id);
    const cellsBlock = (c.blocks as Array<{ block_id?: string }>).find((b) =>
      b.block_id?.startsWith("cells:"),
    );
    await h.slack.driver.check(
      PEOPLE.owner.id,
      c,
      { blockId: String(cellsBlock?.block_id), actionId: ACTION_ID.requestCells },
      ["acme_aff|analytics"],
    );
    await owner.click(card(owner, id), button(card(owner, id).blocks, "Approve"));
    expect(
      await verify(h, { key: keySecret, nickname: "acme_aff", api: "analytics" }),
    ).toMatchObject({ allowed: true });
    expect(await verify(h, { key: keySecret, nickname: "acme", api: "orders:read" })).toMatchObject(
      { allowed: false },
    );
    const outcome = textOf(
      member.dms().find((m) => m.text.startsWith(`Your request #${id}`))?.blocks,
    );
    expect(outcome).toContain("1 of 2 permissions granted");
    expect(outcome).toContain(
      `*Not granted*\nOrders/Tickets API Read on acme — left unticked by <@${PEOPLE.owner.id}>`,
    );
  });

  it("denies with a reason that reaches the requester", async () => {
    const id = await memberAsks();
    await owner2.click(card(owner2, id), button(card(owner2, id).blocks, "Deny"));
    await owner2.fill("Reason", "Use the reporting key instead");
    await owner2.submit();
    expect(
      textOf(member.dms().find((m) => m.text.startsWith(`Your request #${id}`))?.blocks),
    ).toContain("Use the reporting key instead");
    expect(textOf(card(owner, id).blocks)).toContain(`*Denied* by <@${PEOPLE.owner2.id}>`);
    expect(
      await verify(h, { key: keySecret, nickname: "acme_aff", api: "analytics" }),
    ).toMatchObject({ allowed: false });
  });

  it("makes one decision when two owners approve at the same instant", async () => {
    const id = await memberAsks();
    const a = card(owner, id);
    const b = card(owner2, id);
    await Promise.all([
      h.slack.driver.click(
        PEOPLE.owner.id,
        { kind: "message", channel: a.channel, ts: a.ts },
        button(a.blocks, "Approve"),
      ),
      h.slack.driver.click(
        PEOPLE.owner2.id,
        { kind: "message", channel: b.channel, ts: b.ts },
        button(b.blocks, "Approve"),
      ),
    ]);
    await quiet(h);
    expect(
      rows(h.app.store, "select * from audit_events where action = 'request.approved'"),
    ).toHaveLength(1);
    expect(rows(h.app.store, "select * from grants where request_id = ?", id)).toHaveLength(2);
  });

  it("refuses approval by a member, and by the requester even as an owner", async () => {
    const id = await memberAsks();
    const c = card(owner, id);
    await member.click(c, button(c.blocks, "Approve"));
    expect(member.last(c.channel).text).toContain(
      "Only account owners can decide access requests.",
    );
    // An owner asking for themselves cannot approve it.
    await ask(owner, {
      key: "Billing sync",
      perms: { "Products API": ["acme"] },
      duration: "Permanently",
      reason: "Catalogue sync for the new storefront",
    });
    await owner.run("requests");
    const list = owner.last();
    const mine = Number(/#(\d+)/.exec(textOf(owner2.dms().at(-1)?.blocks))?.[1]);
    // The other owner got the card to decide it; the owner who asked did not.
    expect(textOf(card(owner2, mine).blocks)).toContain(
      `<@${PEOPLE.owner.id}> asks for access on *Billing sync*`,
    );
    expect(() => card(owner, mine)).toThrow(`no card #${mine}`);
    // Their list offers Deny (to withdraw it) but no Approve on it, and says why.
    const row = (
      list.blocks as Array<{ block_id?: string; elements?: Array<{ action_id?: string }> }>
    ).find((b) => b.block_id === `req:${mine}`);
    expect(row?.elements?.map((e) => e.action_id)).toEqual([ACTION_ID.denyRequest]);
    expect(textOf(list.blocks)).toContain(
      "This is your own request, so another account owner has to approve it",
    );
    // Clicked anyway (on the other owner's card): refused on the server, nothing changes.
    const theirs = card(owner2, mine);
    await owner.click(theirs, button(theirs.blocks, "Approve"));
    expect(owner.last(theirs.channel).text).toBe(
      "You cannot approve your own request, even as an account owner: another account owner has to. You can still deny it to withdraw it.",
    );
    expect(
      rows(h.app.store, "select * from audit_events where action like 'request.approv%'"),
    ).toHaveLength(0);
  });
});

describe("what a decision says", () => {
  it("tells owners, the key owner and the requester what was granted (until when) and what was not, and why", async () => {
    const id = await memberAsks("1 day", {
      "Analytics API": ["acme_aff"],
      "Orders/Tickets API Read": ["acme"],
      "Subscription Modification API": ["acme"],
    });
    // Before the decision, another owner gives the key one of the asked cells anyway.
    const key = rows<{ id: number; version: number }>(
      h.app.store,
      "select id, version from api_keys where name = 'Billing sync'",
    )[0];
    await editKey(h.app.ctx, PEOPLE.owner2.id, {
      keyId: Number(key?.id),
      cells: [
        { scope: "acme", api: "analytics" },
        { scope: "acme", api: "orders:read" },
      ],
    });
    // The deciding owner leaves Subscription Modification unticked.
    const c = card(owner, id);
    const cellsBlock = (c.blocks as Array<{ block_id?: string }>).find((b) =>
      b.block_id?.startsWith("cells:"),
    );
    await h.slack.driver.check(
      PEOPLE.owner.id,
      c,
      { blockId: String(cellsBlock?.block_id), actionId: ACTION_ID.requestCells },
      ["acme_aff|analytics", "acme|orders:read"],
    );
    await owner.click(card(owner, id), button(card(owner, id).blocks, "Approve"));

    const ends = rows<{ expires_at: number }>(
      h.app.store,
      "select expires_at from grants where request_id = ?",
      id,
    );
    expect(ends).toHaveLength(1);
    const until = `until <!date^${Math.floor(Number(ends[0]?.expires_at) / 1000)}^`;
    const says = (text: string) => {
      expect(text).toMatch(
        new RegExp(`Analytics API on acme_aff ${until.replace(/[$^]/g, "\\$&")}`),
      );
      expect(text).toMatch(/^\*?Not granted\*?:?$/m);
      expect(text).toMatch(/Subscription Modification API on acme — left unticked by <@U0OWNER1>/);
      expect(text).toMatch(/Orders\/Tickets API Read on acme — the key already had it/);
    };
    // Every owner's card: the decision, not a before → after recomputed from today's grants.
    for (const o of [owner, owner2]) {
      const text = textOf(card(o, id).blocks);
      says(text);
      expect(text).not.toContain("What would change");
      expect(text).not.toContain("→");
    }
    // The requester's DM, and the DM about the key's change (to the other owner).
    says(textOf(member.dms().find((m) => m.text.startsWith(`Your request #${id}`))?.blocks));
    says(textOf(owner2.dms().find((m) => m.text.startsWith("Access granted on request"))?.blocks));
    // The requester's Home lists the asked cells as decided, not all under approved.
    const home = textOf((await member.home()).view.blocks);
    expect(home).toMatch(/granted: Analytics API on acme_aff until/);
    expect(home).toMatch(/not granted: .*Subscription Modification API on acme/);
  });
});

describe("time passing", () => {
  it("ends time-bound grants by themselves and tells the key owner and the requester", async () => {
    const id = await memberAsks("1 hour", { "Analytics API": ["acme_aff"] });
    await owner.click(card(owner, id), button(card(owner, id).blocks, "Approve"));
    expect(
      await verify(h, { key: keySecret, nickname: "acme_aff", api: "analytics" }),
    ).toMatchObject({ allowed: true });
    h.clock.advance(HOUR + 1000);
    // The verifier stops it at once; the job removes it and tells people.
    expect(
      await verify(h, { key: keySecret, nickname: "acme_aff", api: "analytics" }),
    ).toMatchObject({ allowed: false });
    await h.app.jobs.runOnce();
    await h.app.worker?.drain();
    expect(rows(h.app.store, "select * from grants where request_id = ?", id)).toHaveLength(0);
    expect(
      rows(h.app.store, "select * from audit_events where action = 'grant.expired'"),
    ).toHaveLength(1);
    for (const who of [member, owner]) {
      expect(textOf(who.dms().at(-1)?.blocks)).toContain("*Time-bound access ended*");
      expect(textOf(who.dms().at(-1)?.blocks)).toContain("− Analytics API on acme_aff");
    }
  });

  it("reminds owners after a day and lets undecided requests lapse after 7 days", async () => {
    const id = await memberAsks();
    h.clock.advance(25 * HOUR);
    await h.app.jobs.runOnce();
    await h.app.worker?.drain();
    expect(textOf(owner2.dms().at(-1)?.blocks)).toContain("waiting for a decision for over a day");
    await h.app.jobs.runOnce();
    await h.app.worker?.drain();
    expect(owner2.dms().filter((m) => m.text.includes("waiting over a day"))).toHaveLength(1);
    h.clock.advance(6 * 24 * HOUR);
    await h.app.jobs.runOnce();
    await h.app.worker?.drain();
    expect(
      textOf(member.dms().find((m) => m.text.startsWith(`Your request #${id}`))?.blocks),
    ).toContain("*Expired*");
    expect(textOf(card(owner, id).blocks)).toContain("*Expired*");
  });
});

describe("a hostile name for a new key", () => {
  it("is escaped in every message's text fallback as in its blocks", async () => {
    const hostile = "<!channel> <https://e.vil|x>";
    await ask(member, {
      key: "➕ A new key",
      newName: hostile,
      perms: { "Orders/Tickets API Read": ["acme"] },
      duration: "Permanently",
      reason: "Exports orders to the data warehouse",
    });
    const id = Number(/#(\d+)/.exec(textOf(member.modal().view.blocks))?.[1]);
    await owner.click(card(owner, id), button(card(owner, id).blocks, "Approve"));
    await h.app.worker?.drain();
    const sent = h.slack.api.calls.filter(
      (c) => c.ok && (c.method === "chat.postMessage" || c.method === "chat.update"),
    );
    // The owners were told about the new key, by name.
    expect(sent.some((c) => String(c.args.text).includes("&lt;!channel&gt;"))).toBe(true);
    for (const c of sent) {
      const whole = JSON.stringify(c.args);
      expect(whole).not.toContain("<!channel>");
      expect(whole).not.toContain("<https://e.vil|x>");
    }
  });
});

describe("a new key from a request", () => {
  it("is created without a secret and revealed once by its requester", async () => {
    await ask(member, {
      key: "➕ A new key",
      newName: "Mia's exporter",
      perms: { "Orders/Tickets API Read": ["acme"] },
      duration: "Permanently",
      reason: "Exports orders to the data warehouse",
    });
    const id = Number(/#(\d+)/.exec(textOf(member.modal().view.blocks))?.[1]);
    await owner.click(card(owner, id), button(card(owner, id).blocks, "Approve"));
    const dm = member.dms().find((m) => m.text.startsWith(`Your request #${id}`)) as Message;
    expect(textOf(dm.blocks)).toContain("Your new key *Mia's exporter*");
    expect(
      rows(h.app.store, "select secret_hash from api_keys where name = ?", "Mia's exporter"),
    ).toEqual([{ secret_hash: null }]);
    await member.click(dm, button(dm.blocks, "Reveal key"));
    await member.submit();
    const secret = secretIn(member.modal());
    expect(await verify(h, { key: secret, nickname: "acme", api: "orders:read" })).toMatchObject({
      allowed: true,
      name: "Mia's exporter",
    });
    await member.click(dm, button(dm.blocks, "Reveal key"));
    expect(member.last(dm.channel).text).toContain("already revealed");
    // Owners cannot reveal someone else's key.
    const files = [join(h.dir, "keyward.db"), join(h.dir, "keyward.db-wal")].filter(existsSync);
    for (const f of files) expect(readFileSync(f).toString("latin1").includes(secret)).toBe(false);
    expect(
      rows(h.app.store, "select action from audit_events where action = 'key.revealed'"),
    ).toHaveLength(1);
  });
});

describe("lists and Home", () => {
  it("shows requests to the requester and every pending one to owners", async () => {
    const id = await memberAsks();
    await member.run("requests");
    expect(textOf(member.last().blocks)).toContain(`*#${id}*`);
    expect(JSON.stringify(member.last().blocks)).not.toContain("Approve all");
    await owner.run("requests");
    button(owner.last().blocks, "Approve all");
    const home = await owner.home();
    expect(textOf(home.view.blocks)).toContain("*Pending requests* (1)");
    await owner.clickInView(home, button(home.view.blocks, "Approve all"));
    expect(
      await verify(h, { key: keySecret, nickname: "acme_aff", api: "analytics" }),
    ).toMatchObject({ allowed: true });
    expect(
      textOf(h.slack.ws.views.get(h.slack.ws.homes.get(PEOPLE.owner.id) ?? "")?.view.blocks),
    ).toContain("*Pending requests* (0)");
  });
});

describe("cards posted before button values were spelled out", () => {
  it("still approve, with the bare request id they carry, and are authorized as any click", async () => {
    const id = await memberAsks();
    const c = card(owner, id);
    // The card as an earlier Keyward posted it: Approve's value was the bare id.
    const old = JSON.parse(
      JSON.stringify(c.blocks).replaceAll(
        JSON.stringify(JSON.stringify({ requestId: id })),
        `"${id}"`,
      ),
    );
    expect(JSON.stringify(old)).toContain(`"value":"${id}"`);
    const posted = h.slack.ws.post({
      channel: c.channel,
      user: "U0KEYWARD",
      text: c.text,
      blocks: old,
    });
    // A member's click on such a card is refused like any other.
    await member.click(posted, button(posted.blocks, "Approve"));
    expect(member.last(posted.channel).text).toContain(
      "Only account owners can decide access requests",
    );
    await owner.click(posted, button(posted.blocks, "Approve"));
    expect(rows(h.app.store, "select status from access_requests where id = ?", id)).toEqual([
      { status: "approved" },
    ]);
  });
});
