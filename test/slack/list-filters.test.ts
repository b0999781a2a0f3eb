// `/apikeys list` filters end to end: each alone, combined with each other and with text,
// paged, their mistakes answered, and the Home tab's sections built from the same filters.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKey } from "../../src/domain/keys/create.ts";
import { disableKey } from "../../src/domain/keys/disable.ts";
import { DAY } from "../helpers/clock.ts";
import { button, textOf } from "../helpers/slack/finders.ts";
import { type Harness, PEOPLE } from "../helpers/slack/harness.ts";
import { stopChecked } from "../helpers/slack/invariants.ts";
import type { Person } from "../helpers/slack/person.ts";
import { seeded } from "../helpers/slack/seeded.ts";

let h: Harness;
let owner: Person;
let member: Person;
let member2: Person;

beforeEach(async () => {
  ({ h, owner, member, member2 } = await seeded({ nicknames: ["acme seller", "beta affiliate"] }));
  const now = h.clock.now().getTime();
  const make = async (
    name: string,
    keyOwner: string,
    cells: Array<{ scope: string; api: "analytics" | "orders:write" }>,
    expiresInDays: number | null = null,
  ) =>
    (
      await createKey(h.app.ctx, PEOPLE.owner.id, {
        name,
        keyOwner,
        cells,
        expiresAt: expiresInDays === null ? null : new Date(now + expiresInDays * DAY),
      })
    ).key;
  await make("Billing sync", PEOPLE.member.id, [{ scope: "acme", api: "analytics" }], 5);
  await make("Billing export", PEOPLE.member2.id, [{ scope: "beta", api: "orders:write" }]);
  const bot = await make("Orders bot", PEOPLE.member.id, [{ scope: "*", api: "orders:write" }]);
  await disableKey(h.app.ctx, PEOPLE.owner.id, { keyId: bot.id, reason: "paused" });
  await make("Old reports", PEOPLE.member.id, [{ scope: "acme", api: "analytics" }], 30);
});
afterEach(() => stopChecked(h));

/** The key names a list answer shows, in order, and its heading. */
async function list(who: Person, args: string) {
  await who.run(`list ${args}`);
  const blocks = who.last().blocks;
  const text = textOf(blocks);
  const names = [...text.matchAll(/^\*([^*]+)\* {2}`/gm)].map((m) => m[1]);
  return { names, heading: text.split("\n")[0] ?? "", text, message: who.last() };
}

describe("list filters", () => {
  it("mine, expiring, disabled, nickname:, api: — each alone", async () => {
    const mine = await list(member, "mine");
    expect(mine.names).toEqual(["Billing sync", "Old reports", "Orders bot"]);
    expect(mine.heading).toBe("*API keys* — yours · 1–3 of 3");

    const expiring = await list(member2, "expiring");
    expect(expiring.names).toEqual(["Billing sync"]);
    expect(expiring.heading).toContain("expiring within 14 days");

    expect((await list(member, "disabled")).names).toEqual(["Orders bot"]);
    // All accounts reaches beta too.
    expect((await list(member, "nickname:beta")).names).toEqual(["Billing export", "Orders bot"]);
    // Read/Write includes Read.
    const read = await list(member, "api:orders:read");
    expect(read.names).toEqual(["Billing export", "Orders bot"]);
    expect(read.heading).toContain("with Orders/Tickets API Read");
  });

  it("combines filters with each other and with text, in any order", async () => {
    expect((await list(member, "mine api:analytics billing")).names).toEqual(["Billing sync"]);
    expect((await list(member2, "mine api:orders:write billing")).names).toEqual([
      "Billing export",
    ]);
    expect((await list(member, "billing mine")).names).toEqual(["Billing sync"]);
    expect((await list(owner, "expiring nickname:acme")).names).toEqual(["Billing sync"]);
    // All accounts reaches acme: a disabled key still holds its grants.
    expect((await list(member, "mine disabled nickname:acme")).names).toEqual(["Orders bot"]);
    const none = await list(member, "mine disabled expiring");
    expect(none.names).toEqual([]);
    expect(none.text).toBe("No keys yours · expiring within 14 days · disabled.");
  });

  it("answers an unknown filter with the valid ones, and an unknown nickname or API helpfully", async () => {
    await member.run("list owner:olivia");
    const unknown = textOf(member.last().blocks);
    expect(unknown).toContain("`owner:` is not a list filter");
    for (const f of [
      "`mine`",
      "`expiring` (within 14 days)",
      "`disabled`",
      "`nickname:<nickname>`",
    ])
      expect(unknown).toContain(f);
    expect(member.last().ephemeralFor).toBe(PEOPLE.member.id);

    await member.run("list nickname:nobody");
    expect(member.last().text).toBe(
      "No nickname `nobody` is linked. `/apikeys nicknames` lists the linked ones.",
    );
    await member.run("list api:orders");
    expect(textOf(member.last().blocks)).toContain(
      "`api:` takes one of `analytics`, `products`, `orders:read`, `orders:write`, `subscriptions:write`.",
    );
  });

  it("keeps the filter when paging", async () => {
    for (let i = 1; i <= 11; i++) {
      await createKey(h.app.ctx, PEOPLE.owner.id, {
        name: `Bulk ${String(i).padStart(2, "0")}`,
        keyOwner: PEOPLE.member2.id,
        cells: [],
        expiresAt: null,
      });
    }
    const first = await list(member2, "mine bulk");
    expect(first.heading).toBe("*API keys* — yours · matching “bulk” · 1–10 of 11");
    await member2.click(first.message, button(first.message.blocks, "Next"));
    const second = textOf(member2.last().blocks);
    expect(second.split("\n")[0]).toBe("*API keys* — yours · matching “bulk” · 11–11 of 11");
    expect(second).toContain("*Bulk 11*");
  });
});

describe("the Home tab's sections come from the same filters", () => {
  it("shows owners Expiring soon and Disabled, and a member My keys", async () => {
    const home = textOf((await owner.home()).view.blocks);
    expect(home).toContain("*Expiring soon — within 14 days* (1)");
    expect(home).toMatch(
      /Expiring soon[\s\S]*\*Billing sync\*[\s\S]*\*Disabled\* \(1\)[\s\S]*\*Orders bot\*/,
    );
    const mine = textOf((await member.home()).view.blocks);
    expect(mine).toContain("*My keys* (3)");
    expect(mine).not.toContain("Billing export");
    expect(mine).not.toContain("Expiring soon");
  });
});
