// The sandbox in a real browser (Debian's Chromium via playwright-core): the flows a newcomer
// clicks through, with screenshots saved to test-results/screenshots.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/run.ts";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = "test-results/screenshots";
let sandbox: Sandbox;
let browser: Browser;
let page: Page;
let dir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  mkdirSync(SHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), "keyward-sandbox-"));
  sandbox = await startSandbox({ port: 0, dataDir: dir });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
  // Fail with the locator's own message well before the test's time is up.
  page.setDefaultTimeout(8000);

  page.on("pageerror", (e) => {
    throw e;
  });
  await page.goto(sandbox.url);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function as(id: string) {
  await page.selectOption('select[aria-label="You are"]', id);
  await page.waitForTimeout(150);
}
/** "home", "dm" (the DM with Keyward) or a channel's name. */
async function go(where: string) {
  await page.locator(`nav button[data-nav="${where}"]`).click();
  await page.waitForTimeout(150);
}
async function type(text: string) {
  await page.fill('input[aria-label="Message"]', text);
  await page.press('input[aria-label="Message"]', "Enter");
}
const modal = () => page.locator('[role="dialog"]').last();
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
/** An input of the open modal by its exact label. */
const field = (label: string) =>
  modal()
    .locator(".block.input")
    .filter({
      has: page.locator(".input-label", {
        hasText: new RegExp(`^${escapeRegExp(label)}( \\(optional\\))?$`),
      }),
    });
const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png` });

async function verify(body: Record<string, unknown>) {
  const res = await fetch(`${sandbox.app.url}/v1/verify`, {
    method: "POST",
    headers: { authorization: `Bearer ${sandbox.verifyToken}` },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

describe("the sandbox in a browser", () => {
  it("lets an owner create a key and see its secret once", async () => {
    await as("U0OLIVIA");
    await go("general");
    await type("/apikeys create");
    await expect.poll(() => modal().locator("h2").textContent()).toBe("Create API key");
    await field("Name").locator("input").fill("Partner feed");
    await field("Analytics API").getByText("All accounts").click();
    await field("Orders/Tickets API Read").getByText("globex").click();
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
    await expect.poll(() => page.locator('[role="dialog"]').count()).toBe(0);
    // Nowhere else: not in the channel, not in anyone's DMs.
    expect(await page.content()).not.toContain(secret);
    await type("/apikeys list partner");
    await expect
      .poll(() => page.locator(".message").last().textContent())
      .toContain("Partner feed");
    expect(await page.locator(".message").last().textContent()).toContain("Only visible to you");
  });

  it("lets a member ask for access, and another owner approve it from a DM", async () => {
    await as("U0MIA");
    await go("home");
    await page.getByRole("button", { name: "Request access" }).click();

    await expect.poll(() => modal().locator("h2").textContent()).toBe("Request access");
    await field("Key").locator("input").click();
    await field("Key").locator("input").fill("Billing");
    await page.getByRole("option", { name: /^Billing sync/ }).click();
    await expect
      .poll(() => modal().textContent())
      .toContain("Billing sync* already has".replace("*", ""));
    await field("Subscription Modification API").getByText("globex").click();
    await field("For how long").getByText("7 days").click();
    await field("Why").locator("textarea").fill("Pausing subscriptions during the migration");
    await shot("02-member-requests-access");
    await modal().getByRole("button", { name: "Send request" }).click();
    await expect.poll(() => modal().textContent()).toContain("went to the account owners");
    await modal().getByRole("button", { name: "Close" }).last().click();

    await as("U0OSCAR");
    await go("dm");
    const card = page.locator(".message", { hasText: "Access request #1" }).last();
    await expect
      .poll(() => card.textContent())
      .toContain("Pausing subscriptions during the migration");
    await card.scrollIntoViewIfNeeded();
    await shot("03-owner-gets-request-card");
    await card.getByRole("button", { name: "Approve" }).click();
    await expect.poll(() => card.textContent()).toContain("Approved");

    await as("U0MIA");
    await go("dm");
    await expect
      .poll(() => page.locator(".message").last().textContent())
      .toContain("Your request #1");
    expect(await page.locator(".message").last().textContent()).toContain("Approved");
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
    await expect
      .poll(() => page.locator(".message").last().textContent())
      .toContain("Compromised API key rotated");
    expect(await page.locator(".message").last().textContent()).toContain(
      "Key pasted in a support ticket",
    );
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
    await expect.poll(() => page.locator(".thread").last().textContent()).toContain("live API key");
    await shot("07-leaked-key-warning");
    const thread = (await page.locator(".thread").last().textContent()) ?? "";
    expect(thread).not.toContain(secret);
  });

  it("keeps its data across a restart", async () => {
    await sandbox.stop();
    sandbox = await startSandbox({ port: 0, dataDir: dir });
    expect(sandbox.seeded).toBe(false);
    await page.goto(sandbox.url);
    await as("U0OLIVIA");
    await go("dm");
    await expect
      .poll(() => page.locator(".message").last().textContent())
      .toContain("Live API key posted");
    await go("general");

    await type("/apikeys list partner");
    await expect
      .poll(() => page.locator(".message").last().textContent())
      .toContain("Partner feed");
  });
});
