// The shortcuts, end to end through the Slack stand-in: Report leaked key on messages the bot
// cannot see (a DM between two people), and Request API access from anywhere.
import { afterEach, describe, expect, it } from "vitest";
import { REPORTS_PER_HOUR } from "../../src/domain/oncall/leak.ts";
import { newPublicId, newSecret } from "../../src/domain/secrets.ts";
import { SHORTCUT_ID } from "../../src/slack/blocks/ids.ts";
import { rows } from "../helpers/db-rows.ts";
import { textOf } from "../helpers/slack/finders.ts";
import { GENERAL, type Harness, PEOPLE, quiet } from "../helpers/slack/harness.ts";
import { stopChecked } from "../helpers/slack/invariants.ts";
import type { Person } from "../helpers/slack/person.ts";
import { seeded } from "../helpers/slack/seeded.ts";

let h: Harness;
let owner: Person;
let owner2: Person;
let oncall: Person;
let member: Person;
let member2: Person;

async function setUp() {
  ({ h, owner, owner2, oncall, member, member2 } = await seeded({
    nicknames: ["acme seller"],
    oncall: true,
  }));
}

afterEach(() => stopChecked(h, { expectSecrets: true }));

const leakEvents = () =>
  rows<{ actor: string; subject: string; reason: string; diff: string | null }>(
    h.app.store,
    "select actor, subject, reason, diff from audit_events where action = 'key.leak_detected'",
  );

/** Mia writes to Max in their own DM, which Keyward is not in; Max reports it. */
async function dmReported(text: string, reporter: Person = member2) {
  const dm = h.slack.ws.dmBetween(PEOPLE.member.id, PEOPLE.member2.id);
  const { message, answer } = await h.slack.driver.say(PEOPLE.member.id, dm.id, text);
  // The bot hears nothing there.
  expect(answer).toBeUndefined();
  const r = await h.slack.driver.messageShortcut(
    reporter.id,
    { channel: dm.id, ts: message.ts },
    SHORTCUT_ID.reportLeak,
  );
  expect(r.status).toBe(200);
  await quiet(h);
  return { dm, message, told: textOf(reporter.modal().view.blocks) };
}

const dmCount = (who: Person) => who.dms().length;

describe("Report leaked key", () => {
  it("reports a live key in a DM between two people: on-call alerted with where it was, the reporter told what happens next, the key never repeated", async () => {
    await setUp();
    const live = await owner.createKey(
      "Warehouse",
      { "Analytics API": ["acme"] },
      PEOPLE.owner2.id,
    );
    const publicId = live.slice(3, 11);
    const before = [owner, owner2, oncall].map(dmCount);
    const { dm, message, told } = await dmReported(`prod key is ${live} don't share`);

    expect(told).toContain("a *live* API key");
    expect(told).toContain(`*Warehouse* \`${publicId}\``);
    expect(told).toContain("*What happens next:* the on-call engineers and the account owners");
    expect(told).toContain(`Ask <@${PEOPLE.member.id}> to delete the message`);
    expect(told).not.toContain(live.slice(11));

    // Slack will not give the bot a link into a DM it is not in: the archive link stands in.
    const link = `https://keyward-sandbox.slack.com/archives/${dm.id}/p${message.ts.replace(".", "")}`;
    for (const [i, who] of [owner, owner2, oncall].entries()) {
      expect(dmCount(who)).toBe((before[i] ?? 0) + 1);
      const alert = who.dms().at(-1);
      expect(alert?.text).toBe("URGENT — a live API key was posted in a direct message");
      const text = textOf(alert?.blocks);
      expect(text).toContain("Live API key posted in a DM");
      expect(text).toContain(`<${link}|this message> in a direct message`);
      expect(text).toContain(`Reported by <@${PEOPLE.member2.id}> with the *Report leaked key*`);
    }
    // Nothing was posted in the DM itself (Keyward is not in it).
    expect(h.slack.ws.channelMessages(dm.id).map((m) => m.user)).toEqual([PEOPLE.member.id]);
    const [event] = leakEvents();
    expect(event).toMatchObject({ actor: PEOPLE.member.id, subject: dm.id });
    expect(event?.reason).toContain("A live secret was posted in a direct message: https://");
    expect(event?.diff).toContain(`Reported by {{user:${PEOPLE.member2.id}}}`);

    // Reporting it again (or anyone else reporting it) alerts nobody a second time.
    const again = await h.slack.driver.messageShortcut(
      PEOPLE.member.id,
      { channel: dm.id, ts: message.ts },
      SHORTCUT_ID.reportLeak,
    );
    expect(again.status).toBe(200);
    await quiet(h);
    const second = textOf(member.modal().view.blocks);
    expect(second).toContain("*Already reported:*");
    expect(second).toContain("*Delete the message now*");
    expect(leakEvents()).toHaveLength(1);
    for (const [i, who] of [owner, owner2, oncall].entries())
      expect(dmCount(who)).toBe((before[i] ?? 0) + 1);
  });

  it("does not alert twice for a key Keyward already found in a channel it is in", async () => {
    await setUp();
    const live = await owner.createKey("Seen already");
    const { message } = await h.slack.driver.say(PEOPLE.member.id, GENERAL, `oops ${live}`);
    await quiet(h);
    const alerts = dmCount(oncall);
    await h.slack.driver.messageShortcut(
      PEOPLE.member2.id,
      { channel: GENERAL, ts: message.ts },
      SHORTCUT_ID.reportLeak,
    );
    await quiet(h);
    expect(textOf(member2.modal().view.blocks)).toContain("*Already reported:*");
    expect(dmCount(oncall)).toBe(alerts);
    expect(leakEvents()).toHaveLength(1);
  });

  it("says so when nothing key-shaped is there, and alerts nobody", async () => {
    await setUp();
    await owner.createKey("Quiet");
    const alerts = dmCount(oncall);
    const { told } = await dmReported(
      "the key is kw_short and the docs say kw_ then 46 characters",
    );
    expect(told).toContain("Nothing in this message looks like a Keyward API key");
    expect(told).toContain("Nobody was alerted");
    expect(dmCount(oncall)).toBe(alerts);
    expect(leakEvents()).toHaveLength(0);
  });

  it("tells a string with a bad checksum from a key, and alerts nobody", async () => {
    await setUp();
    const live = await owner.createKey("Almost");
    const last = live.at(-1) === "A" ? "B" : "A";
    const typo = `${live.slice(0, -1)}${last}`;
    const alerts = dmCount(oncall);
    const { told } = await dmReported(`is it ${typo}?`);
    expect(told).toContain(`\`kw_${live.slice(3, 11)}…\``);
    expect(told).toContain("whose checksum does not hold: not a real key");
    expect(told).not.toContain(typo.slice(11));
    expect(dmCount(oncall)).toBe(alerts);
    expect(leakEvents()).toHaveLength(0);
  });

  it("lets one person alert on-call at most a few times an hour", async () => {
    await setUp();
    await owner.createKey("Unrelated");
    const alerts = dmCount(oncall);
    for (let i = 0; i < REPORTS_PER_HOUR; i++) {
      const { told } = await dmReported(`made up ${newSecret(newPublicId())}`);
      expect(told).toContain("*What happens next:*");
      expect(told).toContain("matches no key here");
    }
    expect(dmCount(oncall)).toBe(alerts + REPORTS_PER_HOUR);
    const { told } = await dmReported(`one more ${newSecret(newPublicId())}`);
    expect(told).toContain(`you have reported ${REPORTS_PER_HOUR} leaks in the past hour`);
    expect(dmCount(oncall)).toBe(alerts + REPORTS_PER_HOUR);
    // A live key nobody reported before alerts all the same: the limit is for noise, not news.
    const live = await owner.createKey("Checkout", { "Analytics API": ["acme"] });
    const { told: news } = await dmReported(`prod key ${live}`);
    expect(news).toContain("a *live* API key");
    expect(news).toContain("*What happens next:*");
    expect(dmCount(oncall)).toBe(alerts + REPORTS_PER_HOUR + 1);
    // The same key again, in another message, is not news: limited.
    const { told: again } = await dmReported(`again ${live}`);
    expect(again).toContain(`you have reported ${REPORTS_PER_HOUR} leaks in the past hour`);
    expect(dmCount(oncall)).toBe(alerts + REPORTS_PER_HOUR + 1);
    // Someone else's report of the same message still goes through: the limit held nothing back.
    const dm = h.slack.ws.dmBetween(PEOPLE.member.id, PEOPLE.member2.id);
    const last = h.slack.ws.channelMessages(dm.id).at(-1);
    if (!last) throw new Error("no message");
    await h.slack.driver.messageShortcut(
      PEOPLE.member.id,
      { channel: dm.id, ts: last.ts },
      SHORTCUT_ID.reportLeak,
    );
    await quiet(h);
    expect(textOf(member.modal().view.blocks)).toContain("*What happens next:*");
    expect(dmCount(oncall)).toBe(alerts + REPORTS_PER_HOUR + 2);
    // An hour later the reporter may alert again.
    h.clock.advance(60 * 60 * 1000);
    const { told: later } = await dmReported(`later ${newSecret(newPublicId())}`);
    expect(later).toContain("*What happens next:*");
  });
});

describe("Request API access", () => {
  it("opens the request modal from anywhere, and submitting it asks the owners", async () => {
    await setUp();
    await owner.createKey("Reports");
    const r = await h.slack.driver.globalShortcut(PEOPLE.member.id, SHORTCUT_ID.requestAccess);
    expect(r.status).toBe(200);
    await quiet(h);
    expect(member.modal().view.title).toMatchObject({ text: "Request access" });
    await member.fill("Key", "Reports");
    await member.fill("Analytics API", ["acme"]);
    await member.fill("For how long", "1 day");
    await member.fill("Why", "Weekly revenue report");
    await member.submit();
    const card = owner2.dms().find((m) => m.text.startsWith("Access request #"));
    expect(card).toBeDefined();
    expect(textOf(card?.blocks)).toContain("Weekly revenue report");
  });
});
