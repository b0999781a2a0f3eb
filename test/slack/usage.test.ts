// Usage and least privilege end to end: services verify keys, Quick view shows the last 30
// days at a glance and `show` the numbers, the weekly digest lists the grant nobody used, and
// one click removes it through the normal edit (diff DM'd to the owners and the key owner,
// audit event).
import { afterEach, describe, expect, it } from "vitest";
import { DAY_MS, dayOf, isoDayOf } from "../../src/domain/usage/days.ts";
import { HOUR } from "../helpers/clock.ts";
import { rows } from "../helpers/db-rows.ts";
import { button, buttonNear, textOf } from "../helpers/slack/finders.ts";
import { type Harness, PEOPLE, quiet, verify } from "../helpers/slack/harness.ts";
import { stopChecked } from "../helpers/slack/invariants.ts";
import type { Person } from "../helpers/slack/person.ts";
import { seeded } from "../helpers/slack/seeded.ts";

let h: Harness;
let owner: Person;
let owner2: Person;
let member: Person;

// Every surface within Block Kit limits; no secret shown anywhere but its one-time modal.
afterEach(() => stopChecked(h));

/** Moves the clock `days` ahead, to noon UTC, so that a run of verifications shares one day. */
function advanceDays(days: number) {
  const now = h.clock.now().getTime();
  h.clock.advance(days * DAY_MS + ((12 * HOUR - (now % DAY_MS) + DAY_MS) % DAY_MS));
}

/** Whole days since usage counting began (this Keyward's first start). */
function daysCounted(): number {
  const [began] = rows<{ at: number }>(
    h.app.store,
    "select last_run_at as at from job_runs where name = 'usage-counting-since'",
  );
  return dayOf(h.clock.now()) - dayOf(Number(began?.at));
}

async function quickView(who: Person, keyName: string) {
  await who.run("list");
  const list = who.last();
  await who.click(list, buttonNear(list.blocks, keyName, "Quick view"));
  const v = who.modal();
  await h.slack.driver.close(who.id, v.id);
  return v.view.blocks;
}

describe("usage and least privilege", () => {
  it("verify calls → Quick view's sparkline → the digest lists the unused grant → one click removes it, owners told, audited", async () => {
    ({ h, owner, owner2, member } = await seeded({
      nicknames: ["acme seller", "acme_aff affiliate"],
    }));
    // The weekly digest's first run only starts its clock.
    await h.app.digests?.runOnce();
    const secret = await owner.createKey(
      "Reports",
      {
        "Analytics API": ["acme"],
        "Products API": ["acme"],
        "Orders/Tickets API Read/Write": ["All accounts"],
      },
      PEOPLE.member.id,
    );
    await owner.createKey("Idle", { "Analytics API": ["acme"] });
    const ask = (nickname: string, api: string) => verify(h, { key: secret, nickname, api });

    // Today: used, but a grant cannot be called unused before a month of counts.
    expect(await ask("acme", "products")).toMatchObject({ allowed: true });
    await h.app.usage.flush();
    let qv = textOf(await quickView(member, "Reports"));
    expect(qv).toContain("`█`  1 verification");
    expect(qv).toContain("Unused grants are suggested after 30 days of counted usage");

    // A month on: analytics on acme, reads on acme_aff through the All-accounts write grant,
    // one refused check; Products on acme never again.
    advanceDays(31);
    for (let i = 0; i < 3; i++)
      expect(await ask("acme", "analytics")).toMatchObject({ allowed: true });
    for (let i = 0; i < 2; i++)
      expect(await ask("acme_aff", "orders:read")).toMatchObject({ allowed: true });
    expect(await ask("acme", "subscriptions:write")).toMatchObject({ allowed: false });
    await h.app.usage.flush();
    const lastDay = isoDayOf(dayOf(h.clock.now()) - daysCounted());

    const memberView = await quickView(member, "Reports");
    qv = textOf(memberView);
    expect(qv).toContain(
      `*Last 30 days*  \`${"·".repeat(29)}█\`  6 verifications · 1 check refused`,
    );
    expect(qv).toContain("*Unused grants*: no check was allowed through this one in 30 days.");
    expect(qv).toContain(`• Products API on acme: last used on ${lastDay} (UTC)`);
    expect(() => button(memberView, "Remove unused grants")).toThrow();
    const ownerView = await quickView(owner, "Reports");
    expect(button(ownerView, "Remove unused grants").actionId).toBe("grants_remove_unused");
    expect(textOf(await quickView(member, "Idle"))).toContain("*Unused for");

    await member.run("show reports");
    const shown = textOf(member.last().blocks);
    expect(shown).toContain("*Usage, last 30 days* (UTC): 6 verifications · 1 check refused");
    expect(shown).toMatch(/\d{2}-\d{2} +6 \(1\)/); // today: 6 verifications, 1 refused check
    expect(shown).toContain("• Analytics API on acme: 3 allowed checks");
    expect(shown).toContain(
      "• Orders/Tickets API Read/Write on all accounts: 2 allowed checks, last",
    );
    expect(shown).toContain("(`acme_aff` Orders/Tickets API Read 2)");
    expect(shown).toContain("• Products API on acme: last used");

    // The weekly digest, to every owner.
    await h.app.digests?.runOnce();
    await quiet(h);
    const digest = owner.dms().findLast((m) => m.text === "Keyward key hygiene digest");
    if (!digest) throw new Error("no digest");
    const text = textOf(digest.blocks);
    expect(text).toContain("*Grants unused for 30 days (1)*");
    expect(text).toContain(`Reports (`);
    expect(text).toContain(`Products API on acme: last used on ${lastDay} (UTC)`);
    expect(text).toContain("*Keys not used in 30 days (1)*");
    expect(text).toMatch(/Idle \(\w{8}\): never used, created <!date\^\d+\^/);

    // One click (behind a confirmation) removes it through the edit path.
    const remove = button(digest.blocks, "Remove unused grants");
    const el = (digest.blocks as Array<{ accessory?: { confirm?: unknown } }>).find(
      (b) => b.accessory?.confirm,
    );
    expect(el?.accessory?.confirm).toMatchObject({ title: { text: "Remove unused grants?" } });
    await owner.click(digest, remove);
    expect(owner.dms().at(-1)?.text).toMatch(
      /^:broom: Removed 1 unused grant from \*Reports\* `\w{8}`\. The owners and the key owner have been told: Products API on acme\.$/,
    );
    for (const who of [owner2, member]) {
      const dm = who.dms().findLast((m) => m.text.includes("API key edited"));
      const said = textOf(dm?.blocks);
      expect(said).toContain("− Products API on acme");
      expect(said).toMatch(/Not used since \d{4}-\d{2}-\d{2}: removed as an unused grant\./);
    }
    const events = rows<{ action: string; actor: string; reason: string; diff: string }>(
      h.app.store,
      "select action, actor, reason, diff from audit_events order by id desc limit 1",
    );
    expect(events[0]).toMatchObject({
      action: "key.permissions_changed",
      actor: PEOPLE.owner.id,
    });
    expect(JSON.parse(String(events[0]?.diff)).changes).toEqual(["− Products API on acme"]);
    expect(await ask("acme", "products")).toMatchObject({ allowed: false });
    expect(await ask("acme", "analytics")).toMatchObject({ allowed: true });

    // Oscar's copy of the digest: the key changed since it was made.
    const theirs = owner2.dms().findLast((m) => m.text === "Keyward key hygiene digest");
    if (!theirs) throw new Error("no digest for Oscar");
    await owner2.click(theirs, button(theirs.blocks, "Remove unused grants"));
    expect(owner2.dms().at(-1)?.text).toContain("after you opened it");
  });
});
