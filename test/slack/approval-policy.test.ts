// The approval policy end to end: a request adding a write API needs two different owners'
// approvals (the first shows on every card and in the requester's DM), any Deny ends it, the
// requester never approves their own, and a request left waiting is escalated to on-call once.
import { afterEach, describe, expect, it } from "vitest";
import type { Message } from "../../src/sandbox/standin/workspace.ts";
import { ACTION_ID } from "../../src/slack/blocks/ids.ts";
import { HOUR } from "../helpers/clock.ts";
import { rows } from "../helpers/db-rows.ts";
import { button, textOf } from "../helpers/slack/finders.ts";
import { type Harness, PEOPLE, quiet, verify } from "../helpers/slack/harness.ts";
import { stopChecked } from "../helpers/slack/invariants.ts";
import type { Person } from "../helpers/slack/person.ts";
import { type Seed, seeded } from "../helpers/slack/seeded.ts";

let h: Harness;
let owner: Person;
let owner2: Person;
let oncall: Person;
let member: Person;
let member2: Person;
let keySecret: string;

async function setUp(seed: Seed = {}) {
  ({ h, owner, owner2, oncall, member, member2 } = await seeded({
    nicknames: ["acme seller", "acme_aff affiliate"],
    oncall: true,
    ...seed,
  }));
  keySecret = await owner.createKey("Billing sync", { "Analytics API": ["acme"] });
}
afterEach(() => stopChecked(h));

const WRITE = "Orders/Tickets API Read/Write";

/** The member asks for write access on acme (and, by default, analytics on acme_aff). */
async function memberAsks(
  perms: Record<string, string[]> = { [WRITE]: ["acme"], "Analytics API": ["acme_aff"] },
  who: Person = member,
): Promise<number> {
  await who.run("request");
  await who.fill("Key", "Billing sync");
  for (const [label, scopes] of Object.entries(perms)) await who.fill(label, scopes);
  await who.fill("For how long", "1 day");
  await who.fill("Why", "Refunds for the support team");
  await who.submit();
  const sent = /Request \*#(\d+)\* went to the account owners/.exec(
    textOf(who.modal().view.blocks),
  );
  expect(sent).not.toBeNull();
  await h.slack.driver.close(who.id, who.modal().id);
  return Number(sent?.[1]);
}

const card = (who: Person, id: number): Message => {
  const m = who.dms().find((x) => x.text.startsWith(`Access request #${id} `));
  if (!m) throw new Error(`no card #${id} for ${who.id}`);
  return m;
};
const outcomes = (id: number) =>
  member.dms().filter((m) => m.text.startsWith(`Your request #${id}`));
const actionIds = (m: Message) => JSON.stringify(m.blocks);
const count = (action: string) =>
  rows(h.app.store, "select id from audit_events where action = ?", action).length;
const writeAllowed = async () =>
  (await verify(h, { key: keySecret, nickname: "acme", api: "orders:write" })).allowed;

/** Leaves only these cells ticked on an owner's card. */
async function tick(who: Person, m: Message, values: string[]) {
  const block = (m.blocks as Array<{ block_id?: string }>).find((b) =>
    b.block_id?.startsWith("cells:"),
  );
  await h.slack.driver.check(
    who.id,
    m,
    { blockId: String(block?.block_id), actionId: ACTION_ID.requestCells },
    values,
  );
}

describe("a request adding a write API", () => {
  it("needs a second owner: the first approval shows on every card and to the requester, the second decides what both ticked", async () => {
    await setUp();
    const id = await memberAsks();
    for (const o of [owner, owner2])
      expect(textOf(card(o, id).blocks)).toContain(
        "It adds a write API, so it needs approvals from 2 different account owners.",
      );

    // Olivia approves the write permission, leaving analytics unticked.
    const before = structuredClone(card(owner, id).blocks);
    await tick(owner, card(owner, id), ["acme|orders:write"]);
    await owner.click(card(owner, id), button(card(owner, id).blocks, "Approve"));
    await quiet(h);
    expect(await writeAllowed()).toBe(false);
    expect(count("request.approval_recorded")).toBe(1);
    expect(count("request.approved")).toBe(0);
    expect(
      rows(h.app.store, "select status from access_requests where id = ?", id)[0],
    ).toMatchObject({ status: "pending" });

    // Every card now says so; Olivia's offers her no second Approve, Oscar's does.
    const first = `Approved by <@${PEOPLE.owner.id}>`;
    for (const o of [owner, owner2]) {
      const c = card(o, id);
      expect(c.editedAt).toBeDefined();
      expect(textOf(c.blocks)).toContain(`*${first}*`);
      expect(textOf(c.blocks)).toContain("leaving unticked Analytics API on acme_aff");
      expect(textOf(c.blocks)).toContain(`${first} — needs one more account owner's approval`);
    }
    expect(actionIds(card(owner, id))).not.toContain(ACTION_ID.approveRequest);
    expect(textOf(card(owner, id).blocks)).toContain("You approved this");
    expect(actionIds(card(owner2, id))).toContain(ACTION_ID.approveRequest);
    // Oscar can only narrow it: what Olivia left unticked is not offered.
    expect(actionIds(card(owner2, id))).toContain("acme|orders:write");
    expect(actionIds(card(owner2, id))).not.toContain("acme_aff|analytics");
    // The requester hears who approved and that one more is needed.
    expect(outcomes(id)).toHaveLength(1);
    expect(textOf(outcomes(id)[0]?.blocks)).toContain(
      `${first} — needs one more account owner's approval`,
    );

    // Olivia again, from her card as it was before: refused, nothing changes.
    const stale = card(owner, id);
    const now = stale.blocks;
    stale.blocks = before;
    const changes = rows(h.app.store, "select id from audit_events").length;
    await owner.click(stale, button(before, "Approve"));
    stale.blocks = now;
    expect(owner.last(stale.channel).text).toMatch(
      new RegExp(`^You cannot approve request #${id} twice: you approved it at `),
    );
    expect(rows(h.app.store, "select id from audit_events")).toHaveLength(changes);

    // Oscar's approval decides: the write permission both approved, not analytics.
    await owner2.click(card(owner2, id), button(card(owner2, id).blocks, "Approve"));
    await quiet(h);
    expect(await writeAllowed()).toBe(true);
    expect(
      (await verify(h, { key: keySecret, nickname: "acme_aff", api: "analytics" })).allowed,
    ).toBe(false);
    expect(count("request.approved")).toBe(1);
    const both = `*Approved* by <@${PEOPLE.owner.id}> and <@${PEOPLE.owner2.id}>`;
    const said = textOf(outcomes(id).at(-1)?.blocks);
    expect(said).toContain(both);
    expect(said).toContain(`Analytics API on acme_aff — left unticked by <@${PEOPLE.owner.id}>`);
    for (const o of [owner, owner2]) {
      expect(textOf(card(o, id).blocks)).toContain(both);
      expect(actionIds(card(o, id))).not.toContain(ACTION_ID.approveRequest);
    }
  });

  it("ends with any owner's Deny after the first approval", async () => {
    await setUp();
    const id = await memberAsks();
    await owner.click(card(owner, id), button(card(owner, id).blocks, "Approve"));
    await owner2.click(card(owner2, id), button(card(owner2, id).blocks, "Deny"));
    await owner2.fill("Reason", "Refunds go through the support tool");
    await owner2.submit();
    await quiet(h);
    expect(await writeAllowed()).toBe(false);
    expect(textOf(outcomes(id).at(-1)?.blocks)).toContain(`*Denied* by <@${PEOPLE.owner2.id}>`);
    for (const o of [owner, owner2])
      expect(textOf(card(o, id).blocks)).toContain("Refunds go through the support tool");
    expect(count("request.approved")).toBe(0);
  });

  it("is decided by one approval when the first owner leaves every write API unticked", async () => {
    await setUp();
    const id = await memberAsks();
    await tick(owner, card(owner, id), ["acme_aff|analytics"]);
    await owner.click(card(owner, id), button(card(owner, id).blocks, "Approve"));
    await quiet(h);
    expect(count("request.approved")).toBe(1);
    expect(await writeAllowed()).toBe(false);
    expect(
      (await verify(h, { key: keySecret, nickname: "acme_aff", api: "analytics" })).allowed,
    ).toBe(true);
  });

  it("makes one decision when the two owners it waits for approve at the same instant", async () => {
    await setUp();
    // A third owner: Olivia approves first, then Oscar and Max approve at once.
    await owner.run(`role add <@${PEOPLE.member2.id}|max> owner`);
    const id = await memberAsks({ [WRITE]: ["acme"] });
    await owner.click(card(owner, id), button(card(owner, id).blocks, "Approve"));
    await quiet(h);
    const [a, b] = [card(owner2, id), card(member2, id)];
    const answers = await Promise.all([
      h.slack.driver.click(
        PEOPLE.owner2.id,
        { kind: "message", channel: a.channel, ts: a.ts },
        button(a.blocks, "Approve"),
      ),
      h.slack.driver.click(
        PEOPLE.member2.id,
        { kind: "message", channel: b.channel, ts: b.ts },
        button(b.blocks, "Approve"),
      ),
    ]);
    for (const r of answers) expect(r.status).toBe(200);
    await quiet(h);
    expect(count("request.approved")).toBe(1);
    expect(count("request.approval_recorded")).toBe(1);
    expect(rows(h.app.store, "select * from grants where request_id = ?", id)).toHaveLength(1);
    // The other is told it was already decided, by whom.
    const told = [
      ...h.slack.ws.visibleTo(PEOPLE.owner2.id, a.channel),
      ...h.slack.ws.visibleTo(PEOPLE.member2.id, b.channel),
    ].filter((m) => m.text.startsWith(`Request #${id} was already approved by <@`));
    expect(told).toHaveLength(1);
  });

  it("records one approval and one decision when two owners approve first at the same instant", async () => {
    await setUp();
    const id = await memberAsks({ [WRITE]: ["acme"] });
    const [a, b] = [card(owner, id), card(owner2, id)];
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
    // Whichever came first was recorded; the other, a different owner, decided.
    expect(count("request.approval_recorded")).toBe(1);
    expect(count("request.approved")).toBe(1);
    expect(await writeAllowed()).toBe(true);
  });

  it("needs one approval with WRITE_APPROVALS=1, as before the policy", async () => {
    await setUp({ env: { WRITE_APPROVALS: "1" } });
    const id = await memberAsks();
    expect(textOf(card(owner, id).blocks)).not.toContain("needs approvals from");
    await owner.click(card(owner, id), button(card(owner, id).blocks, "Approve"));
    await quiet(h);
    expect(count("request.approval_recorded")).toBe(0);
    expect(count("request.approved")).toBe(1);
    expect(await writeAllowed()).toBe(true);
    expect(textOf(outcomes(id).at(-1)?.blocks)).toContain(`*Approved* by <@${PEOPLE.owner.id}>`);
  });
});

describe("a request with no write API", () => {
  it("is decided by one approval", async () => {
    await setUp();
    const id = await memberAsks({ "Analytics API": ["acme_aff"] });
    expect(textOf(card(owner2, id).blocks)).not.toContain("needs approvals from");
    await owner2.click(card(owner2, id), button(card(owner2, id).blocks, "Approve"));
    await quiet(h);
    expect(count("request.approved")).toBe(1);
    expect(count("request.approval_recorded")).toBe(0);
    expect(textOf(outcomes(id).at(-1)?.blocks)).toContain(`*Approved* by <@${PEOPLE.owner2.id}>`);
  });
});

describe("self-approval", () => {
  it("is never offered nor allowed, even to an owner who is the only other one", async () => {
    await setUp();
    // Olivia asks; Oscar gets the card, Olivia's own list and Home offer her Deny only.
    const id = await memberAsks({ [WRITE]: ["acme"] }, owner);
    await owner.run("requests");
    const list = owner.last();
    expect(textOf(list.blocks)).toContain("This is your own request");
    expect(
      (list.blocks as Array<{ block_id?: string; elements?: Array<{ action_id?: string }> }>)
        .find((b) => b.block_id === `req:${id}`)
        ?.elements?.map((e) => e.action_id),
    ).toEqual([ACTION_ID.denyRequest]);
    const home = await owner.home();
    expect(textOf(home.view.blocks)).toContain("This is your own request");
    expect(JSON.stringify(home.view.blocks)).not.toContain(ACTION_ID.approveRequest);

    // Oscar, the other owner, got the card with Approve; Olivia got none.
    expect(actionIds(card(owner2, id))).toContain(ACTION_ID.approveRequest);
    expect(() => card(owner, id)).toThrow(`no card #${id}`);
  });

  it("is refused on the server with one sentence", async () => {
    await setUp();
    const id = await memberAsks({ [WRITE]: ["acme"] }, owner);
    const c = card(owner2, id);
    await owner.click(c, button(c.blocks, "Approve"));
    expect(owner.last(c.channel).text).toBe(
      "You cannot approve your own request, even as an account owner: another account owner has to. You can still deny it to withdraw it.",
    );
    expect(count("request.approval_recorded")).toBe(0);
    expect(count("request.approved")).toBe(0);
  });
});

describe("escalation", () => {
  it("tells on-call once after ESCALATE_AFTER_HOURS, with who was asked, and not again after a restart", async () => {
    await setUp({
      env: { ONCALL_USERGROUP_ID: "S0ONCALL", ESCALATE_AFTER_HOURS: "6" },
      usergroups: { S0ONCALL: [PEOPLE.member2.id] },
    });
    const id = await memberAsks();
    await owner.click(card(owner, id), button(card(owner, id).blocks, "Approve"));
    const escalations = (p: Person) =>
      p.dms().filter((m) => m.text.startsWith(`Access request #${id} has waited`));
    const run = async () => {
      await h.app.jobs.runOnce();
      await h.app.worker?.drain();
      await quiet(h);
    };
    h.clock.advance(5 * HOUR);
    await run();
    expect(escalations(oncall)).toHaveLength(0);
    h.clock.advance(2 * HOUR);
    await run();
    // Casey (on-call by role) and Max (by the user group); not the requester, not the owners.
    for (const p of [oncall, member2]) {
      expect(escalations(p)).toHaveLength(1);
      const text = textOf(escalations(p)[0]?.blocks);
      expect(text).toContain(`Access request #${id} has waited 7 hours for an account owner`);
      expect(text).toContain(`*Waiting for:* <@${PEOPLE.owner2.id}> (account owners)`);
      expect(text).toContain(
        `Approved by <@${PEOPLE.owner.id}> — needs one more account owner's approval`,
      );
      expect(text).toContain("ping the account owners above");
      expect(text).toContain("You cannot approve it unless you are an account owner");
      expect(JSON.stringify(escalations(p)[0]?.blocks)).not.toContain(ACTION_ID.approveRequest);
    }
    for (const p of [member, owner, owner2]) expect(escalations(p)).toHaveLength(0);
    expect(count("request.escalated")).toBe(1);

    await run();
    await h.restart();
    h.clock.advance(HOUR);
    await run();
    for (const p of [oncall, member2]) expect(escalations(p)).toHaveLength(1);
    expect(count("request.escalated")).toBe(1);
  });

  it("never happens with ESCALATE_AFTER_HOURS=0", async () => {
    await setUp({ env: { ESCALATE_AFTER_HOURS: "0" } });
    const id = await memberAsks();
    h.clock.advance(100 * HOUR);
    await h.app.jobs.runOnce();
    await h.app.worker?.drain();
    expect(
      oncall.dms().filter((m) => m.text.startsWith(`Access request #${id} has waited`)),
    ).toHaveLength(0);
    expect(count("request.escalated")).toBe(0);
  });
});
