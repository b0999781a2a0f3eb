// The sandbox in a real browser (Debian's Chromium via playwright-core): the flows a newcomer
// clicks through, with screenshots saved to test-results/screenshots.
import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getKey } from "../../src/domain/keys/queries.ts";
import { SandboxPage } from "./harness.ts";

const SHOTS = "test-results/screenshots";
let s: SandboxPage;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  s = await SandboxPage.open();
}, 60_000);

afterAll(async () => {
  await s?.close();
});

const page = () => s.page;
const as = (id: string) => s.as(id);
const go = (where: string) => s.go(where);
const type = (text: string) => s.type(text);
const modal = () => s.modal();
const field = (label: string) => s.field(label);
const shot = (name: string) => s.shot(name, SHOTS);
const lastMessage = () => s.lastMessage();
const verify = (body: Record<string, unknown>) => s.verify(body);

describe("the sandbox in a browser", () => {
  it("lets an owner create a key and see its secret once", async () => {
    await as("U0OLIVIA");
    await go("general");
    await type("/apikeys create");
    await expect.poll(() => modal().locator("h2").textContent()).toBe("Create API key");
    await field("Name").locator("input").fill("Partner feed");
    await s.pick("Analytics API", "All accounts");
    await s.pick("Orders/Tickets API Read", "globex");
    await modal().getByRole("button", { name: "Create" }).click();
    await expect
      .poll(() => modal().textContent())
      .toContain("Copy this secret now. It won't be shown again.");
    await shot("01-owner-created-key");
    const secret = (await modal().locator("pre").textContent())?.trim() ?? "";
    expect(secret).toMatch(/^kw_[0-9A-Za-z]{46}$/);
    expect(await verify({ key: secret, nickname: "globex", api: "orders:read" })).toMatchObject({
      valid: true,
      allowed: true,
    });
    await modal().getByRole("button", { name: "Done" }).last().click();
    await expect.poll(() => page().locator('[role="dialog"]').count()).toBe(0);
    // Nowhere else: not in the channel, not in anyone's DMs.
    expect(await page().content()).not.toContain(secret);
    await type("/apikeys list partner");
    await expect.poll(() => lastMessage().textContent()).toContain("Partner feed");
    expect(await lastMessage().textContent()).toContain("Only visible to you");
  });

  it("lets a member ask for write access, and two owners approve it from their DMs", async () => {
    await as("U0MIA");
    await go("home");
    await page().getByRole("button", { name: "Request access" }).click();

    await expect.poll(() => modal().locator("h2").textContent()).toBe("Request access");
    await field("Key").locator("input").click();
    await field("Key").locator("input").fill("Billing");
    await page()
      .getByRole("option", { name: /^Billing sync/ })
      .click();
    await expect
      .poll(() => modal().textContent())
      .toContain("Billing sync* already has".replace("*", ""));
    await s.pick("Subscription Modification API", "globex");
    await field("For how long").getByText("7 days").click();
    await field("Why").locator("textarea").fill("Pausing subscriptions during the migration");
    await shot("02-member-requests-access");
    await modal().getByRole("button", { name: "Send request" }).click();
    await expect.poll(() => modal().textContent()).toContain("went to the account owners");
    await modal().getByRole("button", { name: "Close" }).last().click();

    await as("U0OSCAR");
    await go("dm");
    const card = page()
      .locator(".messages .message", { hasText: "Pausing subscriptions during the migration" })
      .last();
    await expect.poll(() => card.textContent()).toContain("Access request #");
    await card.scrollIntoViewIfNeeded();
    await shot("03-owner-gets-request-card");
    await card.getByRole("button", { name: "Approve" }).click();
    // Subscription Modification writes, so a second owner must approve too.
    await expect
      .poll(() => card.textContent())
      .toContain("needs one more account owner's approval");

    await as("U0OLIVIA");
    await go("dm");
    const second = page()
      .locator(".messages .message", { hasText: "Pausing subscriptions during the migration" })
      .last();
    await expect
      .poll(() => second.textContent())
      .toContain("needs one more account owner's approval");
    await second.getByRole("button", { name: "Approve" }).click();
    await expect.poll(() => second.textContent()).not.toContain("needs one more");
    expect(await second.textContent()).toContain("Approved");

    await as("U0MIA");
    await go("dm");
    await expect.poll(() => lastMessage().textContent()).toContain("Your request #");
    expect(await lastMessage().textContent()).toContain("Approved");
    expect(await lastMessage().textContent()).not.toContain("needs another");
    await shot("04-member-hears-outcome");
  });

  it("lets on-call rotate a compromised key, and the owners get an urgent DM", async () => {
    await as("U0CASEY");
    await go("engineering");
    await type("/apikeys rotate Billing sync");
    await expect.poll(() => modal().locator("h2").textContent()).toBe("Rotate compromised key");
    await field("Reason").locator("textarea").fill("Key pasted in a support ticket");
    await field("Incident link").locator("input").fill("https://status.example.com/incidents/7");
    await shot("05-oncall-rotates");
    await modal().getByRole("button", { name: "Do it now" }).click();
    await expect.poll(() => modal().textContent()).toContain("Copy this secret now");
    const secret = (await modal().locator("pre").textContent())?.trim() ?? "";
    expect(await verify({ key: secret })).toMatchObject({ valid: true, name: "Billing sync" });
    await modal().getByRole("button", { name: "Done" }).last().click();

    await as("U0OLIVIA");
    await go("dm");
    await expect.poll(() => lastMessage().textContent()).toContain("Compromised API key rotated");
    expect(await lastMessage().textContent()).toContain("Key pasted in a support ticket");
    await shot("06-owner-urgent-dm");
  });

  it("warns in the thread when a live key is posted, without repeating it", async () => {
    await as("U0OLIVIA");
    await go("general");
    await type("/apikeys regenerate Storefront catalog");
    await expect.poll(() => modal().locator("h2").textContent()).toBe("Regenerate API key");
    expect(await modal().textContent()).toContain(
      "Regenerating an API key will break any existing integration using that API key.",
    );
    await modal().getByRole("button", { name: "Regenerate" }).click();
    await expect.poll(() => modal().textContent()).toContain("Copy this secret now");
    const secret = (await modal().locator("pre").textContent())?.trim() ?? "";
    await modal().getByRole("button", { name: "Done" }).last().click();
    await as("U0MAX");
    await go("general");
    await type(`here's the storefront key ${secret}`);
    const posted = page().locator(".messages .message", { hasText: "here's the storefront key" });
    await posted.getByRole("button", { name: /^1 reply/ }).click();
    const thread = page().locator('[aria-label="Thread"]');
    await expect.poll(() => thread.textContent()).toContain("live API key");
    await shot("07-leaked-key-warning");
    const warning = (await thread.locator(".message").last().textContent()) ?? "";
    expect(warning).toContain("live API key");
    expect(warning).not.toContain(secret);
  });

  it("keeps its data across a restart", async () => {
    await s.restart();
    expect(s.sandbox.seeded).toBe(false);
    await as("U0OLIVIA");
    await go("dm");
    await expect.poll(() => lastMessage().textContent()).toContain("Live API key posted");
    await go("general");

    await type("/apikeys list partner");
    await expect.poll(() => lastMessage().textContent()).toContain("Partner feed");
  });

  // After the request test: its approval gave Billing sync Subscription Modification on globex.
  it("lets an owner edit a key's reach from one row of chips per API", async () => {
    await as("U0OLIVIA");
    await go("general");
    await type("/apikeys edit Billing sync");
    await expect.poll(() => modal().locator("h2").textContent()).toBe("Edit API key");
    expect(await modal().textContent()).toContain(
      "Today this key reaches 5 of 5 nicknames. All accounts (incl. linked later): Analytics. Beyond that: acme Orders/Tickets Read/Write; globex Subscription Modification.",
    );
    expect(await s.chips("Analytics API")).toEqual(["All accounts (incl. linked later)"]);
    expect(await s.chips("Orders/Tickets API Read/Write")).toEqual(["acme (seller)"]);
    expect(await s.chips("Products API")).toEqual([]);
    await shot("08-owner-edits-key");
    // Five short rows, not five columns of boxes (those made the form's body 1,057 px tall).
    const body = await modal()
      .locator(".modal-body")
      .evaluate((e) => e.scrollHeight);
    expect(body).toBeLessThan(800);
    expect(await modal().locator('input[type="checkbox"]').count()).toBe(0);

    await field("Analytics API")
      .getByRole("button", { name: "Remove All accounts (incl. linked later)" })
      .click();
    await s.pick("Analytics API", "globex");
    await modal().getByRole("button", { name: "Save" }).click();
    await expect
      .poll(() => field("Analytics API").locator('[role="alert"]').textContent())
      .toContain("Removing All accounts takes Analytics API away from 4 nicknames");
    await modal().getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page().locator('[role="dialog"]').count()).toBe(0);
    const { grants } = await getKey(s.sandbox.app.ctx, "Billing sync");
    expect(grants.map((g) => `${g.scope}|${g.api}`).sort()).toEqual(
      ["acme|orders:write", "globex|analytics", "globex|subscriptions:write"].sort(),
    );
  });
});
