// `/apikeys audit [filters]` and `/apikeys audit export [filters]` end to end: filters by key,
// actor, action and date (a day in the person's own time zone), Older to page, the export's
// answer and its file in the DM, a failed export told, and mistakes answered with the filters.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { button, textOf } from "../helpers/slack/finders.ts";
import { type Harness, outboxSettled, PEOPLE, quiet } from "../helpers/slack/harness.ts";
import { stopChecked } from "../helpers/slack/invariants.ts";
import type { Person } from "../helpers/slack/person.ts";
import { seeded } from "../helpers/slack/seeded.ts";

let h: Harness;
let owner: Person;
let owner2: Person;
let oncall: Person;
let member: Person;

beforeEach(async () => {
  ({ h, owner, owner2, oncall, member } = await seeded({
    nicknames: ["acme seller"],
    oncall: true,
  }));
  await owner.createKey("Billing sync", { "Analytics API": ["acme"] });
  await owner.run("disable Billing sync");
  await owner.fill("Reason", "paused for the audit test");
  await owner.submit();
  await owner2.createKey("Other key", { "Analytics API": ["acme"] });
});
afterEach(() => stopChecked(h, { expectSecrets: true }));

/** The lines of the newest audit answer: its heading, then one line per event. */
async function audit(who: Person, args: string) {
  await who.run(`audit ${args}`);
  const m = who.last();
  const text = textOf(m.blocks);
  return { text, heading: text.split("\n")[0] ?? "", message: m };
}

const eventLines = (text: string) => text.split("\n").filter((l) => l.includes("<!date^"));

describe("audit search", () => {
  it("filters by key, actor and action, newest first, the filter said in the heading", async () => {
    const byKey = await audit(oncall, 'key:"Billing sync"');
    expect(byKey.heading).toBe('*Audit log* — key "Billing sync" (newest first)');
    expect(eventLines(byKey.text).map((l) => /> (disabled|created) /.exec(l)?.[1])).toEqual([
      "disabled",
      "created",
    ]);
    // A key's name alone, as before filters existed.
    expect(eventLines((await audit(oncall, "Billing sync")).text)).toHaveLength(2);

    const byActor = await audit(owner, "actor:@oscar");
    expect(byActor.heading).toBe(`*Audit log* — actor <@${PEOPLE.owner2.id}> (newest first)`);
    expect(eventLines(byActor.text)).toHaveLength(1);
    expect(byActor.text).toContain("*Other key*");

    const byAction = await audit(owner, "action:nickname.*");
    expect(eventLines(byAction.text)).toHaveLength(1);
    expect(byAction.text).toContain("linked nickname");
    expect(byAction.text).toContain("`/apikeys audit export action:nickname.*`");
  });

  it("reads a day in the person's own time zone", async () => {
    // Move to 20:00 UTC: already the next day in Tokyo (UTC+9).
    const now = h.clock.now();
    const at = new Date(now);
    at.setUTCHours(20, 0, 0, 0);
    if (at <= now) at.setUTCDate(at.getUTCDate() + 1);
    h.clock.advance(at.getTime() - now.getTime() + 60_000);
    await owner.createKey("Late key");
    const next = new Date(at.getTime() + 24 * 60 * 60 * 1000).toISOString().slice(0, 10);

    const tokyo = h.slack.ws.people.get(PEOPLE.oncall.id);
    if (tokyo) tokyo.tz = "Asia/Tokyo";
    const inTokyo = await audit(oncall, `since:${next}`);
    expect(inTokyo.text).toContain("*Late key*");
    // For someone in UTC that day has not begun.
    const inUtc = await audit(owner2, `since:${next}`);
    expect(inUtc.text).toContain("_No events match._");
  });

  it("pages with Older, keeping the filter", async () => {
    for (let i = 1; i <= 16; i++) await owner.run(`nickname add n${i} seller`);
    const first = await audit(owner, "action:nickname.added");
    expect(eventLines(first.text)).toHaveLength(15);
    expect(first.text).toContain("`n16`");
    expect(first.text).not.toContain("`n1`");
    await owner.click(first.message, button(first.message.blocks, "Older"));
    const older = textOf(owner.last().blocks);
    expect(older.split("\n")[0]).toBe("*Audit log* — action nickname.added (newest first)");
    // n1 and acme (set up first): no Older after them.
    expect(eventLines(older)).toHaveLength(2);
    expect(older).toContain("`n1`");
    expect(older).toContain("`acme`");
    expect(JSON.stringify(owner.last().blocks)).not.toContain("Older");
  });

  it("answers a mistake in a filter with every filter", async () => {
    await owner.run("audit since:yesterday");
    let said = textOf(owner.last().blocks);
    expect(said).toContain(":warning: since: give a day like 2026-11-01");
    expect(said).toContain("*Audit filters*");
    for (const f of ["`key:", "`actor:@person`", "`action:", "`since:` and `until:`"])
      expect(said).toContain(f);
    await owner.run("audit export action:keys.*");
    said = textOf(owner.last().blocks);
    expect(said).toContain("action: give an action like `key.rotated_compromised`");
    // Who may not read the log is told so, not how to filter it.
    await member.run("audit since:yesterday");
    expect(member.last().text).toContain("Only account owners and on-call engineers can");
  });
});

describe("audit export", () => {
  it("says how many events and sends the CSV to the DM; the export is in the log in words", async () => {
    await oncall.run('audit export key:"Billing sync"');
    const answer = textOf(oncall.last().blocks);
    expect(answer).toContain(':outbox_tray: A CSV file of 2 audit events (key "Billing sync", ');
    expect(answer).toContain("is on its way to your DM with Keyward");
    expect(oncall.last().ephemeralFor).toBe(PEOPLE.oncall.id);
    await outboxSettled(h);
    await quiet(h);
    const file = oncall
      .dms()
      .flatMap((m) => m.files ?? [])
      .at(-1);
    expect(file?.mimetype).toBe("text/csv");
    const csv = h.slack.ws.fileText(file?.id ?? "") ?? "";
    expect(csv.split("\r\n").filter(Boolean)).toHaveLength(3);
    expect(csv).toContain("key.disabled");

    const log = await audit(owner, "action:audit.*");
    expect(log.text).toContain(`<@${PEOPLE.oncall.id}> exported the audit log`);
    expect(log.text).toContain('Exported 2 audit events as CSV (key "Billing sync")');
  });

  it("says when nothing matches", async () => {
    await owner.run(`audit export actor:<@${PEOPLE.member.id}|mia>`);
    expect(owner.last().text).toBe(
      "No audit events match that filter: there is nothing to export.",
    );
  });

  it("tells the person when the file cannot be delivered", async () => {
    h.slack.api.setFaults({
      rate: 1,
      kinds: ["channel_not_found"],
      methods: ["conversations.open"],
    });
    await owner.run("audit export action:key.*");
    expect(textOf(owner.last().blocks)).toContain("is on its way to your DM");
    await outboxSettled(h);
    await quiet(h);
    const told = owner.dms().at(-1);
    expect(told?.text).toBe("Your audit export could not be delivered");
    expect(textOf(told?.blocks)).toContain("Slack would not take the file");
    expect(textOf(told?.blocks)).toContain("(action key.*)");
    expect(owner.dms().some((m) => m.files?.length)).toBe(false);
  });
});
