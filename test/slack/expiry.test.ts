// Expiry and lifetime end to end: reminders 7 days and 1 day before a key expires (key owner
// and owners) and before time-bound access ends (the requester), sent once across a restart
// and two runs at once; Extend (owners directly, through the edit path; a requester asks again,
// prefilled) and Let it expire; MAX_KEY_LIFETIME_DAYS on create, edit, approval, Extend and
// the digest's one-click fix.
import { afterEach, describe, expect, it } from "vitest";
import { createKey } from "../../src/domain/keys/create.ts";
import type { Message } from "../../src/sandbox/standin/workspace.ts";
import { DAY, HOUR } from "../helpers/clock.ts";
import { rows } from "../helpers/db-rows.ts";
import { button, textOf } from "../helpers/slack/finders.ts";
import { type Harness, PEOPLE, quiet } from "../helpers/slack/harness.ts";
import { stopChecked } from "../helpers/slack/invariants.ts";
import type { Person } from "../helpers/slack/person.ts";
import { seeded } from "../helpers/slack/seeded.ts";

let h: Harness;
let owner: Person;
let owner2: Person;
let member: Person;
let member2: Person;

afterEach(() => stopChecked(h));

/** The UTC day `days` from now, as the date picker gives it. */
const dayFromNow = (days: number) =>
  new Date(h.clock.now().getTime() + days * DAY).toISOString().slice(0, 10);

async function runJobs() {
  await h.app.jobs.runOnce();
  await quiet(h);
}

/** Reminder DMs, including those replaced after Let it expire. */
const reminders = (who: Person) =>
  who.dms().filter((m) => /(expires|ends) within|: left to expire$/.test(m.text));

function keyRow(name: string) {
  const [k] = rows<{ id: number; expires_at: number | null; version: number }>(
    h.app.store,
    "select id, expires_at, version from api_keys where name = ?",
    name,
  );
  if (!k) throw new Error(`no key ${name}`);
  return k;
}

async function createWithExpiry(who: Person, name: string, date: string | null) {
  await who.run("create");
  await who.fill("Name", name);
  await who.fill("Key owner", PEOPLE.member.id);
  await who.fill("Analytics API", ["acme"]);
  if (date) await who.fill("Expires on", date);
  return who.submit();
}

const errorsOf = (r: { json?: Record<string, unknown> }) =>
  (r.json?.errors ?? {}) as Record<string, string>;

/** The clock runs in real time too: a moment computed during the last step. */
const near = (actual: unknown, expected: number) =>
  expect(Math.abs(Number(actual) - expected)).toBeLessThan(60_000);

const lastAudit = () =>
  rows<{ action: string; actor: string }>(
    h.app.store,
    "select action, actor from audit_events order by id desc limit 1",
  )[0];

describe("expiry reminders", () => {
  it("a key: 7 days and 1 day before, once across a restart and two runs at once; Extend reschedules; Let it expire stops them", async () => {
    ({ h, owner, owner2, member, member2 } = await seeded({ nicknames: ["acme seller"] }));
    const created = await createWithExpiry(owner, "Billing", dayFromNow(10));
    expect(created.json?.response_action).toBe("update");
    await h.slack.driver.close(owner.id, owner.modal().id);
    const billing = keyRow("Billing");
    const expires = Number(billing.expires_at);

    await runJobs();
    expect(reminders(member)).toHaveLength(0);

    // Under 7 days left: the key owner and both owners, with Extend and Let it expire.
    h.clock.advance(expires - h.clock.now().getTime() - 6.5 * DAY);
    await runJobs();
    for (const who of [member, owner, owner2]) {
      const [r] = reminders(who);
      expect(r?.text).toMatch(/^API key Billing \(\w{8}\) expires within 7 days$/);
      expect(textOf(r?.blocks)).toMatch(/expires within 7 days: <!date\^\d+\^/);
    }
    expect(reminders(member2)).toHaveLength(0);

    // Not again: after a restart, on the same database.
    await h.restart();
    await runJobs();
    for (const who of [member, owner, owner2]) expect(reminders(who)).toHaveLength(1);

    // A day left: two runs at the same moment send it once.
    h.clock.advance(6 * DAY);
    await Promise.all([h.app.jobs.runOnce(), h.app.jobs.runOnce()]);
    await quiet(h);
    for (const who of [member, owner, owner2]) {
      expect(reminders(who)).toHaveLength(2);
      expect(reminders(who)[1]?.text).toContain("expires within a day");
    }

    // The key owner is no account owner: Extend tells them who can.
    const theirs = reminders(member)[1] as Message;
    await member.click(theirs, button(theirs.blocks, "Extend"));
    expect(member.hasModal()).toBe(false);
    expect(member.dms().at(-1)?.text).toContain(
      "Only account owners can extend keys and time-bound access directly.",
    );

    // An owner extends by 90 days, through the edit path.
    const mine = reminders(owner)[1] as Message;
    await owner.click(mine, button(mine.blocks, "Extend"));
    expect(textOf(owner.modal().view.blocks)).toContain("*Billing*");
    await owner.fill("For how long, from today", "90 days");
    await owner.submit();
    expect(textOf(owner.modal().view.blocks)).toMatch(/now expires <!date\^\d+\^/);
    await h.slack.driver.close(owner.id, owner.modal().id);
    near(keyRow("Billing").expires_at, h.clock.now().getTime() + 90 * DAY);
    expect(lastAudit()).toMatchObject({ action: "key.expiry_changed", actor: PEOPLE.owner.id });
    const edited = member.dms().findLast((m) => m.text.includes("API key edited"));
    expect(textOf(edited?.blocks)).toMatch(/Expires: <!date\^\d+\^[^>]+> → <!date\^\d+\^/);

    // The old reminder is stale now.
    const old = reminders(owner2)[1] as Message;
    await owner2.click(old, button(old.blocks, "Let it expire"));
    expect(owner2.dms().at(-1)?.text).toMatch(/changed since this reminder: it now ends/);

    // The new date is reminded of afresh; the key owner lets it expire.
    h.clock.advance(84 * DAY);
    await runJobs();
    expect(reminders(member)).toHaveLength(3);
    const third = reminders(member)[2] as Message;
    await member.click(third, button(third.blocks, "Let it expire"));
    const replaced = h.slack.ws.findMessage(third.channel, third.ts);
    expect(textOf(replaced?.blocks)).toContain(
      `<@${PEOPLE.member.id}> chose to let it expire: no more reminders for this date`,
    );
    expect(JSON.stringify(replaced?.blocks)).not.toContain("expiry_extend");
    expect(lastAudit()).toMatchObject({ action: "key.left_to_expire", actor: PEOPLE.member.id });
    h.clock.advance(5.5 * DAY);
    await runJobs();
    for (const who of [member, owner, owner2]) expect(reminders(who)).toHaveLength(3);
  });

  it("a key made to expire in 3 days hears only the 1-day reminder", async () => {
    ({ h, owner, owner2, member, member2 } = await seeded({ nicknames: ["acme seller"] }));
    await createWithExpiry(owner, "Soon", dayFromNow(2));
    await h.slack.driver.close(owner.id, owner.modal().id);
    const expires = Number(keyRow("Soon").expires_at);
    expect(expires - h.clock.now().getTime()).toBeLessThan(3 * DAY);
    expect(expires - h.clock.now().getTime()).toBeGreaterThan(DAY);
    await runJobs();
    expect(reminders(member)).toHaveLength(0);
    h.clock.advance(expires - h.clock.now().getTime() - 20 * HOUR);
    await runJobs();
    expect(reminders(member).map((m) => m.text)).toEqual([
      expect.stringContaining("expires within a day"),
    ]);
  });

  it("time-bound access: the requester is reminded; Extend asks again, prefilled, and the approval replaces it; Let it expire by others is refused", async () => {
    ({ h, owner, owner2, member, member2 } = await seeded({ nicknames: ["acme seller"] }));
    await owner.createKey("Shared", {});
    await member.run("request");
    await member.fill("Key", "Shared");
    await member.fill("Analytics API", ["acme"]);
    await member.fill("For how long", "30 days");
    await member.fill("Why", "Quarterly reconciliation");
    await member.submit();
    await h.slack.driver.close(member.id, member.modal().id);
    const card = owner.dms().findLast((m) => m.text.startsWith("Access request #"));
    if (!card) throw new Error("no card");
    await owner.click(card, button(card.blocks, "Approve"));

    h.clock.advance(23.5 * DAY);
    await runJobs();
    for (const who of [owner, owner2, member2]) expect(reminders(who)).toHaveLength(0);
    const [r] = reminders(member);
    if (!r) throw new Error("no reminder");
    expect(r.text).toMatch(/^Your time-bound access on Shared \(\w{8}\) ends within 7 days$/);
    expect(textOf(r.blocks)).toContain("• Analytics API on acme");

    // Extend: the request modal for that key, that access ticked, for as long as before.
    await member.click(r, button(r.blocks, "Extend"));
    const v = member.modal().view;
    expect(v.callback_id).toBe("request_create");
    const blocks = JSON.stringify(v.blocks);
    expect(blocks).toMatch(/"initial_option":\{"text":\{"type":"plain_text","text":"Shared \(/);
    expect(blocks).toMatch(/"initial_options":\[\{"text":\{"type":"plain_text","text":"acme \(/);
    expect(blocks).toMatch(
      /"initial_option":\{"text":\{[^}]*"text":"30 days"[^}]*\},"value":"30d"/,
    );
    await member.fill("Why", "Still reconciling, another month");
    await member.submit();
    expect(textOf(member.modal().view.blocks)).toContain("went to the account owners");
    await h.slack.driver.close(member.id, member.modal().id);
    const again = owner.dms().findLast((m) => m.text.startsWith("Access request #"));
    if (!again || again.ts === card.ts) throw new Error("no second card");
    await owner.click(again, button(again.blocks, "Approve"));
    const grants = rows<{ expires_at: number; request_id: number }>(
      h.app.store,
      "select expires_at, request_id from grants",
    );
    expect(grants).toHaveLength(1);
    near(grants[0]?.expires_at, h.clock.now().getTime() + 30 * DAY);

    // Someone else's Let it expire: refused, nothing recorded.
    const before = rows(h.app.store, "select * from expiry_reminders").length;
    await member2.run("list");
    const crafted = h.slack.ws.post({
      channel: member2.last().channel,
      user: "U0KEYWARD",
      text: "copy",
      blocks: r.blocks,
    });
    await member2.click(crafted, button(crafted.blocks, "Let it expire"));
    expect(member2.last(crafted.channel).text).toContain(
      "Only account owners can let any key or time-bound access expire.",
    );
    expect(rows(h.app.store, "select * from expiry_reminders")).toHaveLength(before);

    // The old date is gone with the grant it belonged to: nothing more for it.
    h.clock.advance(6.5 * DAY);
    await runJobs();
    expect(reminders(member)).toHaveLength(1);
  });

  it("an owner's own time-bound access: Extend moves it directly, audited and told", async () => {
    ({ h, owner, owner2, member, member2 } = await seeded({ nicknames: ["acme seller"] }));
    await owner.createKey("Ops", {});
    await owner2.run("request");
    await owner2.fill("Key", "Ops");
    await owner2.fill("Products API", ["acme"]);
    await owner2.fill("For how long", "7 days");
    await owner2.fill("Why", "Checking a catalogue import");
    await owner2.submit();
    await h.slack.driver.close(owner2.id, owner2.modal().id);
    const card = owner.dms().findLast((m) => m.text.startsWith("Access request #"));
    if (!card) throw new Error("no card");
    await owner.click(card, button(card.blocks, "Approve"));
    // Granted for exactly 7 days: only the 1-day reminder applies.
    h.clock.advance(3 * DAY);
    await runJobs();
    expect(reminders(owner2)).toHaveLength(0);
    h.clock.advance(3.5 * DAY);
    await runJobs();
    const [r] = reminders(owner2);
    if (!r) throw new Error("no reminder");
    await owner2.click(r, button(r.blocks, "Extend"));
    expect(owner2.modal().view.callback_id).toBe("expiry_extend");
    // A date before the current end is refused under the input. Yesterday, not today: the
    // access ends half a day from now, and the end of today may fall after that, depending
    // on the hour the test runs.
    await owner2.fill("Or until a date", dayFromNow(-1));
    let res = await owner2.submit();
    expect(res.json).toMatchObject({ response_action: "errors" });
    await owner2.fill("Or until a date", dayFromNow(20));
    await owner2.fill("For how long, from today", "30 days");
    res = await owner2.submit();
    expect(res.json).toMatchObject({
      response_action: "errors",
      errors: { until: "Pick a length or a date, not both." },
    });
    await h.slack.driver.setValue(owner2.modal().id, "until", "value", {
      type: "radio_buttons",
      selected_option: null,
    });
    res = await owner2.submit();
    expect(textOf(owner2.modal().view.blocks)).toContain("access on *Ops*");
    await h.slack.driver.close(owner2.id, owner2.modal().id);
    expect(lastAudit()).toMatchObject({ action: "grant.extended", actor: PEOPLE.owner2.id });
    const told = owner.dms().findLast((m) => m.text.includes("Time-bound access extended"));
    expect(textOf(told?.blocks)).toMatch(/Products API on acme: until <!date\^\d+\^[^>]+> → until/);
  });
});

describe("key lifetime (MAX_KEY_LIFETIME_DAYS)", () => {
  it("create, edit, approvals and Extend keep within it; the digest lists keys beyond it with a one-click fix", async () => {
    ({ h, owner, owner2, member, member2 } = await seeded({
      nicknames: ["acme seller"],
      env: { MAX_KEY_LIFETIME_DAYS: "30" },
    }));
    let r = await createWithExpiry(owner, "Capped", null);
    expect(JSON.stringify(owner.modal().view.blocks)).toContain(
      "Required: keys may live at most 30 days.",
    );
    expect(r.json).toMatchObject({ response_action: "errors" });
    expect(errorsOf(r).expires).toMatch(
      /^Keys must expire, within 30 days: pick a date no later than \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\.$/,
    );
    await owner.fill("Expires on", dayFromNow(45));
    r = await owner.submit();
    expect(errorsOf(r).expires).toMatch(
      /^Keys may live at most 30 days: pick a date no later than/,
    );
    // The day the limit falls on counts whole.
    await owner.fill("Expires on", dayFromNow(30));
    r = await owner.submit();
    expect(r.json?.response_action).toBe("update");
    await h.slack.driver.close(owner.id, owner.modal().id);

    await owner.run("edit Capped");
    await owner.fill("Expires on", dayFromNow(60));
    r = await owner.submit();
    expect(errorsOf(r).expires).toMatch(/at most 30 days/);
    await h.slack.driver.close(owner.id, owner.modal().id);

    // A key made by an approval gets the longest expiry allowed.
    await member.run("request");
    await member.fill("Key", "➕ A new key");
    await member.fill("Name for the new key", "Asked");
    await member.fill("Analytics API", ["acme"]);
    await member.fill("For how long", "Permanently");
    await member.fill("Why", "A reporting integration");
    await member.submit();
    await h.slack.driver.close(member.id, member.modal().id);
    const card = owner.dms().findLast((m) => m.text.startsWith("Access request #"));
    if (!card) throw new Error("no card");
    await owner.click(card, button(card.blocks, "Approve"));
    near(keyRow("Asked").expires_at, h.clock.now().getTime() + 30 * DAY);

    // Extend offers what the policy allows, and refuses a later date under it.
    h.clock.advance(23.5 * DAY);
    await runJobs();
    const reminder = reminders(owner).find((m) => m.text.startsWith("API key Asked"));
    if (!reminder) throw new Error("no reminder");
    await owner.click(reminder, button(reminder.blocks, "Extend"));
    const offered = JSON.stringify(owner.modal().view.blocks);
    expect(offered).toContain('"30 days"');
    expect(offered).not.toContain('"90 days"');
    await owner.fill("Or until a date", dayFromNow(50));
    r = await owner.submit();
    expect(errorsOf(r).until_date).toMatch(/at most 30 days/);
    await h.slack.driver.close(owner.id, owner.modal().id);

    // Keys from before the policy: the digest lists them, one click sets the longest expiry.
    await createKey({ ...h.app.ctx, maxKeyLifetimeDays: undefined }, PEOPLE.owner.id, {
      name: "Legacy",
      keyOwner: PEOPLE.member.id,
      cells: [{ scope: "acme", api: "analytics" }],
      expiresAt: null,
    });
    await owner.run("digest");
    const digest = owner.last();
    const text = textOf(digest.blocks);
    expect(text).toContain("*No expiry, or beyond the 30-day key lifetime (1)*");
    expect(text).toMatch(/Legacy \(\w{8}\): never expires/);
    const fix = button(digest.blocks, "Expire in 30 days");
    const el = (digest.blocks as Array<{ accessory?: { confirm?: unknown } }>).find(
      (b) => b.accessory?.confirm,
    );
    expect(el?.accessory?.confirm).toMatchObject({ title: { text: "Set an expiry?" } });
    await owner.click(digest, fix);
    expect(owner.last().text).toMatch(/^:white_check_mark: \*Legacy\* `\w{8}` now expires/);
    near(keyRow("Legacy").expires_at, h.clock.now().getTime() + 30 * DAY);
    expect(lastAudit()).toMatchObject({ action: "key.expiry_changed", actor: PEOPLE.owner.id });
    expect(
      textOf(member.dms().findLast((m) => m.text.includes("API key edited"))?.blocks),
    ).toContain("Expires: never →");
    // Clicked again: the key changed since.
    await owner.click(digest, fix);
    expect(owner.last().text).toContain("after you opened it");
    void owner2;
    void member2;
  });
});
