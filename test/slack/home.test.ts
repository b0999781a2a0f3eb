// The App Home tab by role: what each person needs first, in words people use (no internal
// action names, channel ids or raw message timestamps).
import type { KnownBlock } from "@slack/types";
import { afterEach, describe, expect, it } from "vitest";
import { button, textOf } from "../helpers/slack/finders.ts";
import { GENERAL, type Harness, PEOPLE, quiet } from "../helpers/slack/harness.ts";
import { stopChecked } from "../helpers/slack/invariants.ts";
import type { Person } from "../helpers/slack/person.ts";
import { seeded } from "../helpers/slack/seeded.ts";

let h: Harness;
let owner: Person;
let oncall: Person;
let member: Person;

afterEach(() => stopChecked(h));

/** The label of the first button styled primary or danger: what the tab puts forward. */
function firstProminent(blocks: unknown): string | undefined {
  for (const b of blocks as KnownBlock[]) {
    const els = b.type === "actions" ? b.elements : [];
    for (const el of els) {
      if (el.type === "button" && (el.style === "primary" || el.style === "danger"))
        return el.text.text;
    }
  }
  return undefined;
}

describe("the Home tab", () => {
  it("puts forward what each role does: members ask, owners decide, on-call answers incidents", async () => {
    ({ h, owner, oncall, member } = await seeded({ nicknames: ["acme seller"], oncall: true }));
    const leaked = await owner.createKey("Leaky", { "Analytics API": ["acme"] }, PEOPLE.member.id);
    await owner.createKey("Olivia's own", { "Analytics API": ["acme"] });
    await member.run("request");
    await member.fill("Key", "Olivia's own");
    await member.fill("Orders/Tickets API Read", ["acme"]);
    await member.fill("For how long", "1 day");
    await member.fill("Why", "Monthly revenue report");
    await member.submit();
    await h.slack.driver.say(PEOPLE.member2.id, GENERAL, `oops ${leaked}`);
    await quiet(h);

    const memberHome = (await member.home()).view.blocks;
    expect(firstProminent(memberHome)).toBe("Request access");
    expect(textOf(memberHome)).toContain("asks the account owners");

    const ownerHome = (await owner.home()).view.blocks;
    expect(firstProminent(ownerHome)).toBe("Approve all");
    // Owners see the keys they administer, not only their own.
    expect(textOf(ownerHome)).toContain("*Leaky*");

    const oncallHome = await oncall.home();
    expect(firstProminent(oncallHome.view.blocks)).toBe("Rotate now");
    const text = textOf(oncallHome.view.blocks);
    expect(text).toContain("*Open incidents* (1)");
    expect(text).toContain("*Leak alerts*");
    // No internal values.
    for (const internal of ["key.leak_detected", "`C0GENERAL`", "`compromised`", "(message "]) {
      expect(text).not.toContain(internal);
    }
    expect(text).toContain(`<#${GENERAL}>`);

    // Rotating closes the incident and shows under recent rotations.
    await oncall.clickInView(oncallHome, button(oncallHome.view.blocks, "Rotate now"));
    await oncall.fill("Reason", "Posted in #general");
    await oncall.submit();
    const after = textOf((await oncall.home()).view.blocks);
    expect(after).toContain("*Open incidents* (0)");
    expect(after).toMatch(/\*Recent rotations\*[\s\S]*Leaky/);
    expect(after).not.toContain("`compromised`");
  });
});
