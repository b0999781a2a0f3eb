// The Slack app's key flows, driven through the stand-in exactly as Slack would drive them.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ACTION_ID } from "../../src/slack/blocks/ids.ts";
import { rows } from "../helpers/db-rows.ts";
import { button, buttonNear, menuOption, secretIn, textOf } from "../helpers/slack/finders.ts";
import { GENERAL, type Harness, PEOPLE, quiet, verify } from "../helpers/slack/harness.ts";
import { stopChecked } from "../helpers/slack/invariants.ts";
import type { Person } from "../helpers/slack/person.ts";
import { seeded } from "../helpers/slack/seeded.ts";

let h: Harness;
let owner: Person;
let owner2: Person;
let member: Person;
let oncall: Person;

beforeEach(async () => {
  ({ h, owner, owner2, member, oncall } = await seeded({
    nicknames: ["acme seller", "acme_aff affiliate", "globex both"],
  }));
});
// Every surface within Block Kit limits; no secret shown anywhere but its one-time modal.
afterEach(() => stopChecked(h));

const createKey = (name: string, perms: Record<string, string[]>, keyOwner?: string) =>
  owner.createKey(name, perms, keyOwner);

describe("creating a key", () => {
  it("shows the secret once in the modal, and DMs the other owners and the key owner", async () => {
    await owner.run("create");
    const form = owner.modal();
    expect(textOf(form.view.blocks)).toContain("Analytics API");
    expect(textOf(form.view.blocks)).toContain("Products API");
    // Products is offered to sellers only.
    const products = (
      form.view.blocks as Array<
        Record<string, unknown> & { element?: { type: string; option_groups: unknown[] } }
      >
    ).find((b) => b.block_id === "perm:products");
    expect(JSON.stringify(products)).not.toContain("acme_aff");
    await owner.fill("Name", "Billing sync");
    await owner.fill("Key owner", PEOPLE.member.id);
    await owner.fill("Orders/Tickets API Read/Write", ["acme"]);
    await owner.fill("Analytics API", ["All accounts"]);
    await owner.submit();
    const shown = owner.modal();
    expect(textOf(shown.view.blocks)).toContain("Copy this secret now. It won't be shown again.");
    const secret = secretIn(shown);
    expect(await verify(h, { key: secret, nickname: "acme", api: "orders:read" })).toMatchObject({
      allowed: true,
    });
    expect(await verify(h, { key: secret, nickname: "acme_aff", api: "analytics" })).toMatchObject({
      allowed: true,
    });

    const dm = owner2.dms().at(-1);
    expect(dm?.text).toContain("API key created: Billing sync");
    expect(textOf(dm?.blocks)).toContain("+ Orders/Tickets API Read/Write on acme");
    expect(textOf(member.dms().at(-1)?.blocks)).toContain("Billing sync");
    // The actor is not told about their own change.
    expect(owner.dms().some((m) => m.text.includes("Billing sync"))).toBe(false);
  });

  it("answers bad fields under the field, writing nothing", async () => {
    await createKey("Taken", { "Analytics API": ["acme"] });
    await owner.run("create");
    await owner.fill("Name", "   ");
    let r = await owner.submit();
    expect(r.json).toMatchObject({
      response_action: "errors",
      errors: { name: "Give the key a name." },
    });
    await owner.fill("Name", "x".repeat(61));
    r = await owner.submit();
    expect((r.json?.errors as Record<string, string> | undefined)?.name).toMatch(/at most 60/);
    await owner.fill("Name", "taken");
    r = await owner.submit();
    expect((r.json?.errors as Record<string, string> | undefined)?.name).toContain(
      '"Taken" already exists',
    );
    // A crafted submission granting Products to an affiliate (the form never offers it).
    await owner.fill("Name", "Crafted");
    h.slack.driver.setValue(owner.modal().id, "perm:products", ACTION_ID.permissionScopes, {
      type: "multi_static_select",
      selected_options: [{ text: { type: "plain_text", text: "acme_aff" }, value: "acme_aff" }],
    });
    r = await owner.submit();
    expect(r.json).toMatchObject({
      response_action: "errors",
      errors: {
        "perm:products": 'Products API is for sellers only: "acme_aff" is an affiliate account.',
      },
    });
    await owner.run("list crafted");
    expect(owner.last().text).toBe("No API keys");
  });
});

describe("expiry dates", () => {
  it("reads the picked day in the picker's own time zone, and says which", async () => {
    // Olivia works from Los Angeles: the last day she picks ends at her midnight, not UTC's.
    h.slack.ws.people.set(PEOPLE.owner.id, {
      ...PEOPLE.owner,
      tz: "America/Los_Angeles",
    });
    await owner.run("create");
    const hint = JSON.stringify(
      (owner.modal().view.blocks as Array<{ block_id?: string; hint?: unknown }>).find(
        (b) => b.block_id === "expires",
      ),
    );
    expect(hint).toContain("America/Los_Angeles");
    await owner.fill("Name", "Ends in LA");
    await owner.fill("Expires on", "2027-03-14");
    await owner.submit();
    secretIn(owner.modal());
    const [row] = rows<{ expires_at: number }>(
      h.app.store,
      "select expires_at from api_keys where name = 'Ends in LA'",
    );
    // Midnight after 14 March in Los Angeles (daylight time from that morning: UTC−7).
    expect(new Date(Number(row?.expires_at)).toISOString()).toBe("2027-03-15T07:00:00.000Z");
    // Opened again, the form shows the same day to her.
    await h.slack.driver.close(PEOPLE.owner.id, owner.modal().id);
    await owner.run("edit Ends in LA");
    const picker = (
      owner.modal().view.blocks as Array<{ block_id?: string; element?: { initial_date?: string } }>
    ).find((b) => b.block_id === "expires");
    expect(picker?.element?.initial_date).toBe("2027-03-14");
  });
});

describe("forms", () => {
  it("shows every error at once, each under its field", async () => {
    await owner.run("create");
    await owner.fill("Name", "   ");
    h.slack.driver.setValue(owner.modal().id, "perm:products", ACTION_ID.permissionScopes, {
      type: "multi_static_select",
      selected_options: [{ text: { type: "plain_text", text: "acme_aff" }, value: "acme_aff" }],
    });
    await owner.fill("Expires on", "2020-01-01");
    const r = await owner.submit();
    expect(r.json).toEqual({
      response_action: "errors",
      errors: {
        name: "Give the key a name.",
        "perm:products": 'Products API is for sellers only: "acme_aff" is an affiliate account.',
        expires: "The expiry date must be in the future.",
      },
    });
  });

  it("refuses a list filter longer than it can search, saying the limit", async () => {
    await owner.run(`list ${"x".repeat(101)}`);
    expect(owner.last().text).toContain("at most 100 characters");
  });
});

describe("commands that help with mistakes", () => {
  it("asks 'did you mean' for a mistyped subcommand instead of printing the whole help", async () => {
    await owner.run("regnerate Billing");
    const said = textOf(owner.last().blocks) || owner.last().text;
    expect(said).toContain("Did you mean `/apikeys regenerate Billing`?");
    expect(said).not.toContain("`/apikeys nicknames`");
  });

  it("offers the one key a partial name matches, and the button does what was asked", async () => {
    await createKey("Billing sync", { "Analytics API": ["acme"] });
    await createKey("Warehouse export", { "Analytics API": ["acme"] });
    await owner.run("show billing");
    const offer = owner.last();
    expect(textOf(offer.blocks)).toContain(
      "No key is called “billing”. Did you mean *Billing sync*",
    );
    await owner.click(offer, button(offer.blocks, "Show Billing sync"));
    expect(textOf(owner.last().blocks)).toContain("*Which nicknames can use which APIs*");
    await owner.run("edit export");
    const edit = owner.last();
    await owner.click(edit, button(edit.blocks, "Edit Warehouse export"));
    expect(textOf(owner.modal().view.blocks)).toContain("Editing *Warehouse export*");
  });

  it("opens a key picker for a key command without a key, then that key's modal", async () => {
    await createKey("Picked one", { "Analytics API": ["acme"] });
    await owner.run("edit");
    expect(owner.modal().view.callback_id).toBe("key_pick");
    await owner.fill("Key", "Picked one");
    await owner.submit();
    expect(textOf(owner.modal().view.blocks)).toContain("Editing *Picked one*");
    // A member asking to edit is refused before any picker opens.
    await member.run("edit");
    expect(member.hasModal()).toBe(false);
    expect(member.last().text).toContain("Only account owners can edit keys");
  });
});

describe("words", () => {
  it("quick view names Read/Write alone where it includes Read", async () => {
    await createKey("Writer", { "Orders/Tickets API Read/Write": ["acme"] });
    await member.run("list");
    const list = member.last();
    await member.click(list, buttonNear(list.blocks, "Writer", "Quick view"));
    const text = textOf(member.modal().view.blocks);
    expect(text).toContain("`acme`: Orders/Tickets API Read/Write");
    expect(text).not.toContain("Orders/Tickets API Read,");
  });

  it("tells a key owner who the account owners are when refusing them", async () => {
    await createKey("Mine", { "Analytics API": ["acme"] }, PEOPLE.member.id);
    await member.run("edit Mine");
    const said = member.last().text;
    expect(said).toContain("Only account owners can edit keys.");
    expect(said).toContain(
      `The account owners are <@${PEOPLE.owner.id}> and <@${PEOPLE.owner2.id}>`,
    );
    expect(said).toContain("A key owner answers for the integration that uses a key");
  });

  it("says a confirmation lists what the key can reach, not what uses it", async () => {
    await createKey("Reach", { "Analytics API": ["acme"] });
    await owner.run("regenerate Reach");
    const text = textOf(owner.modal().view.blocks);
    expect(text).toContain("*What it can reach today*");
    expect(text).not.toContain("What uses it");
  });
});

describe("listing", () => {
  it("pages 10 at a time with Next and Previous, and shows members no actions", async () => {
    for (let i = 0; i < 12; i++)
      await createKey(`key ${String(i).padStart(2, "0")}`, { "Analytics API": ["acme"] });
    await member.run("list");
    let page = member.last();
    expect(textOf(page.blocks)).toContain("1–10 of 12");
    expect(JSON.stringify(page.blocks)).not.toContain("overflow");
    expect(textOf(page.blocks)).toContain("reaches 1 nickname");
    await member.click(page, button(page.blocks, "Next"));
    page = member.last();
    expect(textOf(page.blocks)).toContain("11–12 of 12");
    expect(textOf(page.blocks)).toContain("key 11");
    await member.click(page, button(page.blocks, "Previous"));
    expect(textOf(member.last().blocks)).toContain("1–10 of 12");

    await owner.run("list key 0");
    const mine = owner.last();
    expect(textOf(mine.blocks)).toContain("1–10 of 10");
    for (const verb of ["Edit", "Regenerate", "Delete", "Disable"]) {
      expect(JSON.parse(String(menuOption(mine.blocks, "key 03", verb).optionValue))).toEqual({
        verb: verb.toLowerCase(),
        keyId: expect.any(Number),
      });
    }
  });

  it("quick view shows which nicknames can use which APIs", async () => {
    await createKey("Reports", { "Analytics API": ["All accounts"], "Products API": ["acme"] });
    await member.run("list");
    const list = member.last();
    await member.click(list, buttonNear(list.blocks, "Reports", "Quick view"));
    const text = textOf(member.modal().view.blocks);
    expect(text).toContain("`acme`: Analytics API, Products API");
    expect(text).toContain("`acme_aff`: Analytics API");
    expect(text).toContain("`globex`: Analytics API");
  });

  it("show gives details and the full matrix", async () => {
    await createKey("Orders bot", { "Orders/Tickets API Read/Write": ["globex"] });
    await member.run("show orders bot");
    const text = textOf(member.last().blocks);
    expect(text).toContain("Orders bot");
    expect(text).toContain("Orders/Tickets API Read/Write on `globex`");
    expect(text).toContain("`globex`: Orders/Tickets API Read/Write");
    expect(text).toContain("*Last used*\nnever");
    await member.run("show nope");
    expect(member.last().text).toContain('No key is called or has the id "nope"');
  });
});

describe("editing", () => {
  it("saves via Actions → Edit: warns before removing All accounts takes reach away, closes, and redraws the list", async () => {
    const secret = await createKey("Sync", { "Products API": ["All accounts"] });
    await owner.run("list");
    const list = owner.last();
    await owner.click(list, menuOption(list.blocks, "Sync", "Edit"));
    expect(textOf(owner.modal().view.blocks)).toContain("Editing *Sync*");
    await owner.fill("Name", "Sync v2");
    await owner.fill("Products API", []);
    await owner.fill("Orders/Tickets API Read/Write", ["acme"]);
    // Removing All accounts would take Products away from every seller: said before saving.
    const warned = await owner.submit();
    expect(warned.json?.response_action).toBe("errors");
    expect((warned.json?.errors as Record<string, string> | undefined)?.["perm:products"]).toMatch(
      /^Removing All accounts takes Products API away from 2 nicknames that have it only through All accounts: acme, globex\. Pick those that still need it, or press Save again to take it away\.$/,
    );
    expect(await verify(h, { key: secret, nickname: "acme", api: "products" })).toMatchObject({
      allowed: true,
    });
    await owner.submit();
    // No extra "saved" modal: the form closes, and the list it came from shows the change.
    expect(owner.hasModal()).toBe(false);
    const redrawn = h.slack.ws.findMessage(list.channel, list.ts);
    expect(textOf(redrawn?.blocks)).toContain("*Sync v2*");
    const dm = textOf(owner2.dms().at(-1)?.blocks);
    expect(dm).toContain('Renamed from "Sync" to "Sync v2"');
    expect(dm).toContain("+ Orders/Tickets API Read/Write on acme");
    expect(dm).toContain("− Products API on all accounts");
    expect(await verify(h, { key: secret, nickname: "acme", api: "products" })).toMatchObject({
      allowed: false,
    });
  });

  it("closes quietly when nothing changed", async () => {
    await createKey("Quiet", { "Analytics API": ["acme"] });
    const dmsBefore = owner2.dms().length;
    await owner.run("edit Quiet");
    const r = await owner.submit();
    expect(r.text).toBe("");
    expect(owner.hasModal()).toBe(false);
    expect(owner2.dms()).toHaveLength(dmsBefore);
  });

  it("refuses an edit of a key someone changed since the modal opened, saying who", async () => {
    await createKey("Contested", { "Analytics API": ["acme"] });
    await owner.run("edit Contested");
    await owner2.run("edit Contested");
    await owner2.fill("Name", "Contested (theirs)");
    await owner2.submit();
    await owner.fill("Name", "Contested (mine)");
    const r = await owner.submit();
    expect(r.json?.response_action).toBe("errors");
    expect(Object.values(r.json?.errors as object)[0]).toMatch(
      /^Oscar Owner changed this key .* after you opened it/,
    );
    await owner.run("show Contested (theirs)");
    expect(textOf(owner.last().blocks)).toContain("Contested (theirs)");
  });

  it("gives a valid modal with 200 nicknames", async () => {
    for (let i = 0; i < 200; i++) {
      const kind = ["seller", "affiliate", "both"][i % 3];
      await h.slack.driver.command(PEOPLE.owner.id, GENERAL, `nickname add n${i} ${kind}`);
    }
    await quiet(h);
    await createKey("Wide", { "Analytics API": ["n150", "All accounts"] });
    await owner.run("edit Wide");
    const view = owner.modal().view;
    const analytics = (
      view.blocks as Array<
        Record<string, unknown> & { element?: { type: string; initial_options?: unknown[] } }
      >
    ).find((b) => b.block_id === "perm:analytics");
    expect(analytics?.element?.type).toBe("multi_external_select");
    // What the key holds comes pre-selected; the rest is looked up as the owner types.
    expect(analytics?.element?.initial_options).toHaveLength(2);
    expect(JSON.stringify(view).length).toBeLessThan(12_000);
    const suggested = await h.slack.driver.suggest(
      PEOPLE.owner.id,
      owner.modal().id,
      "perm:products",
      ACTION_ID.permissionScopes,
      "n1",
    );
    expect(suggested.length).toBeGreaterThan(10);
    expect(suggested.every((o) => /\((seller|seller & affiliate)\)/.test(JSON.stringify(o)))).toBe(
      true,
    );
    await owner.fill("Analytics API", ["n150", "n151", "All accounts"]);
    await owner.submit();
    expect(textOf(owner2.dms().at(-1)?.blocks)).toContain("+ Analytics API on n151");
  });
});

describe("regenerating and deleting", () => {
  it("regenerates behind a confirmation naming the key, what breaks and last use", async () => {
    const old = await createKey("Payments", { "Orders/Tickets API Read": ["acme"] });
    await owner.run("list");
    await owner.click(owner.last(), menuOption(owner.last().blocks, "Payments", "Regenerate"));
    const confirm = textOf(owner.modal().view.blocks);
    expect(confirm).toContain("Regenerate *Payments*");
    expect(confirm).toContain(
      "Regenerating an API key will break any existing integration using that API key.",
    );
    expect(confirm).toContain("Orders/Tickets API Read on acme");
    expect(confirm).toContain("last used never");
    await owner.submit();
    const fresh = secretIn(owner.modal());
    expect(await verify(h, { key: old })).toEqual({ valid: false, reason: "rotated" });
    expect(await verify(h, { key: fresh, nickname: "acme", api: "orders:read" })).toMatchObject({
      allowed: true,
    });
    expect(textOf(owner2.dms().at(-1)?.blocks)).toContain(
      "The old secret stopped working at <!date^",
    );
  });

  it("can keep the old secret for a grace window", async () => {
    const old = await createKey("Gradual", { "Analytics API": ["acme"] });
    await owner.run("regenerate Gradual");
    await owner.fill("The old secret", "Keep the old secret for 24 hours");
    await owner.submit();
    secretIn(owner.modal());
    expect(textOf(owner.modal().view.blocks)).toContain("The old secret keeps working until");
    expect(await verify(h, { key: old, nickname: "acme", api: "analytics" })).toMatchObject({
      allowed: true,
    });
    h.clock.advance(24 * 60 * 60 * 1000 + 1000);
    expect(await verify(h, { key: old })).toEqual({ valid: false, reason: "rotated" });
  });

  it("names whom to hand the new secret to, and tells the key owner who holds it and since when", async () => {
    await createKey("Handed", { "Analytics API": ["acme"] }, PEOPLE.member.id);
    await owner.run("regenerate Handed");
    await owner.fill("Who gets the new secret", "me");
    await owner.submit();
    const shown = textOf(owner.modal().view.blocks);
    secretIn(owner.modal());
    expect(shown).toContain(`Hand it to the key owner, <@${PEOPLE.member.id}>`);
    const generated = rows<{ regenerated_at: number }>(
      h.app.store,
      "select regenerated_at from api_keys where name = 'Handed'",
    )[0]?.regenerated_at;
    const dm = textOf(member.dms().at(-1)?.blocks);
    expect(dm).toContain(
      `shown once to <@${PEOPLE.owner.id}> at <!date^${Math.floor(Number(generated) / 1000)}^`,
    );
    expect(dm).toContain(`asked to hand it to the key owner, <@${PEOPLE.member.id}>`);
    expect(dm).toContain("The old secret stopped working at <!date^");
  });

  it("can leave the new secret for the key owner to reveal once, in their own modal", async () => {
    const old = await createKey("For Mia", { "Analytics API": ["acme"] }, PEOPLE.member.id);
    await owner.run("regenerate For Mia");
    await owner.fill("Who gets the new secret", "key_owner");
    await owner.submit();
    // The owner sees no secret: none exists yet.
    const done = textOf(owner.modal().view.blocks);
    expect(done).not.toMatch(/kw_[0-9A-Za-z]{46}/);
    expect(done).toContain(`<@${PEOPLE.member.id}> got a DM with *Reveal new secret*`);
    expect(
      rows(h.app.store, "select secret_hash, handover_by from api_keys where name = 'For Mia'"),
    ).toEqual([{ secret_hash: null, handover_by: PEOPLE.owner.id }]);
    // Meanwhile the old secret's fate is plain to everyone: it stopped, and no new one works.
    expect(await verify(h, { key: old })).toEqual({ valid: false, reason: "rotated" });
    const told = textOf(owner2.dms().at(-1)?.blocks);
    expect(told).toContain("The old secret stopped working at <!date^");
    expect(told).toContain(
      `No new secret exists yet: it is made when the key owner, <@${PEOPLE.member.id}>, presses Reveal new secret`,
    );
    expect(told).toContain("Until then every call with this key is refused.");

    // Someone else pressing the key owner's button is refused; the key owner reveals it once.
    const dm = member.dms().at(-1);
    if (!dm) throw new Error("no DM for the key owner");
    await owner2.click(dm, button(dm.blocks, "Reveal new secret"));
    expect(owner2.last(dm.channel).text).toContain("Only the key owner can reveal");
    await member.click(dm, button(dm.blocks, "Reveal new secret"));
    await member.submit();
    const fresh = secretIn(member.modal());
    expect(await verify(h, { key: fresh, nickname: "acme", api: "analytics" })).toMatchObject({
      allowed: true,
    });
    await h.slack.driver.close(PEOPLE.member.id, member.modal().id);
    await member.click(dm, button(dm.blocks, "Reveal new secret"));
    expect(member.last(dm.channel).text).toContain("already revealed");
    // The owners hear that the key works again, and the audit log has both steps.
    expect(textOf(owner2.dms().at(-1)?.blocks)).toContain(
      `<@${PEOPLE.member.id}>, the key owner, revealed the new secret`,
    );
    expect(
      rows(
        h.app.store,
        "select action, actor from audit_events where key_name = 'For Mia' and action in ('key.regenerated', 'key.revealed') order by id",
      ),
    ).toEqual([
      { action: "key.regenerated", actor: PEOPLE.owner.id },
      { action: "key.revealed", actor: PEOPLE.member.id },
    ]);
  });

  it("deletes only when the name is typed, permanently", async () => {
    const secret = await createKey("Legacy", { "Analytics API": ["acme"] });
    await owner.run("delete legacy");
    expect(textOf(owner.modal().view.blocks)).toContain(
      "Deleting an API key is permanent and cannot be undone.",
    );
    await owner.fill("Type the key's name to confirm", "legacy");
    const r = await owner.submit();
    expect(r.json).toMatchObject({
      response_action: "errors",
      errors: { confirm_name: expect.stringContaining('("Legacy")') },
    });
    await owner.fill("Type the key's name to confirm", "Legacy");
    await owner.submit();
    expect(textOf(owner.modal().view.blocks)).toContain("Deleted *Legacy*");
    expect(await verify(h, { key: secret })).toEqual({ valid: false, reason: "unknown_key" });
    expect(textOf(owner2.dms().at(-1)?.blocks)).toContain("Deleted permanently");
  });
});

describe("disable, enable, nicknames, roles, help", () => {
  it("disables and enables", async () => {
    const secret = await createKey("Toggle", { "Analytics API": ["acme"] });
    await owner.run("disable toggle");
    await owner.submit();
    expect(await verify(h, { key: secret })).toEqual({ valid: false, reason: "disabled" });
    await owner.run("list toggle");
    await owner.click(owner.last(), menuOption(owner.last().blocks, "Toggle", "Enable"));
    expect(owner.last().text).toContain("is enabled again");
    expect(await verify(h, { key: secret })).toMatchObject({ valid: true });
  });

  it("manages nicknames and roles, and explains itself", async () => {
    await owner.run("nicknames");
    expect(textOf(owner.last().blocks)).toContain("`acme_aff` — affiliate");
    await owner.run("role add @casey oncall");
    expect(owner.last().text).toContain(`<@${PEOPLE.oncall.id}> is now an on-call engineer`);
    expect(oncall.dms().at(-1)?.text).toContain("Role changed");
    await owner.run("roles");
    expect(textOf(owner.last().blocks)).toContain(`<@${PEOPLE.oncall.id}>`);
    await member.run("nickname add evil seller");
    expect(member.last().text).toContain(
      "Only account owners can add or remove account nicknames.",
    );
    for (const bad of [
      "frobnicate",
      "show nothing-like-it",
      "nickname add BAD! seller",
      "role add nobody owner",
      "list\u0000x",
    ]) {
      await member.run(bad);
    }
    const answers = h.slack.ws
      .visibleTo(PEOPLE.member.id, GENERAL)
      .slice(-5)
      .map((m) => textOf(m.blocks) || m.text);
    expect(answers[0]).toContain("There is no `frobnicate` subcommand.");
    expect(answers[0]).toContain("/apikeys list [filters] [text]");
    expect(answers[1]).toContain("No key is called or has the id");
    expect(answers[2]).toContain("A nickname is 1–32 characters");
    expect(answers[3]).toContain("Mention the person");
    await member.run("");
    expect(textOf(member.last().blocks)).toContain("`/apikeys request`");
  });

  it("publishes the Home tab with your keys and recent activity", async () => {
    await createKey("Mine", { "Analytics API": ["acme"] }, PEOPLE.member.id);
    const text = textOf((await member.home()).view.blocks);
    expect(text).toContain("*My keys* (1)");
    expect(text).toContain("Mine");
    expect(text).toContain("created");
  });
});

describe("authorization from the database", () => {
  it("refuses a member's crafted Actions → Edit and crafted edit submission", async () => {
    await createKey("Guarded", { "Analytics API": ["acme"] });
    await owner.run("list");
    const ownerList = owner.last();
    const edit = menuOption(ownerList.blocks, "Guarded", "Edit");
    // The member replays the owner's menu choice as their own click.
    await member.run("list");
    const memberList = member.last();
    const r = await h.slack.driver
      .click(
        PEOPLE.member.id,
        { kind: "message", channel: memberList.channel, ts: memberList.ts },
        {
          blockId: edit.blockId,
          actionId: edit.actionId,
          optionValue: edit.optionValue,
        },
      )
      .catch((e: Error) => e);
    // The member's list has no menu at all; craft the payload by posting the owner's message id.
    expect(r).toBeInstanceOf(Error);
    await member.click(ownerList, edit);
    expect(member.last().text).toContain("Only account owners can edit keys.");
    expect(member.hasModal()).toBe(false);

    // A crafted view submission: the owner's edit modal, submitted as the member.
    await owner.run("edit Guarded");
    const view = owner.modal();
    h.slack.driver.setValue(view.id, "name", "value", {
      type: "plain_text_input",
      value: "Hijacked",
    });
    const s = await h.slack.driver.submit(PEOPLE.member.id, view.id);
    expect(textOf((s.json?.view as Record<string, unknown>)?.blocks)).toContain(
      "Only account owners can edit keys.",
    );
    await owner.run("show Guarded");
    expect(textOf(owner.last().blocks)).toContain("Guarded");
  });
});
