// A sandbox and a real browser on its page (Debian's Chromium via playwright-core), with the
// moves a person makes there: pick who you are, open a conversation, type, fill a modal.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { expect } from "vitest";
import { DEMO_PEOPLE } from "../../src/sandbox/demo.ts";
import { type Sandbox, startSandbox } from "../../src/sandbox/run.ts";

const CHROMIUM = "/usr/bin/chromium";
/** How a person types: one key every 40–50 ms. */
export const HUMAN_KEY_DELAY_MS = 45;

export class SandboxPage {
  private constructor(
    public sandbox: Sandbox,
    readonly browser: Browser,
    readonly page: Page,
    readonly dir: string,
  ) {}

  static async open(
    viewport = { width: 1280, height: 860 },
    o: { dir?: string } = {},
  ): Promise<SandboxPage> {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    const dir = o.dir ?? mkdtempSync(join(tmpdir(), "keyward-sandbox-"));
    const sandbox = await startSandbox({ port: 0, dataDir: dir });
    const browser = await chromium.launch({
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
    const page = await (await browser.newContext({ viewport })).newPage();
    // Fail with the locator's own message well before the test's time is up.
    page.setDefaultTimeout(8000);
    page.on("pageerror", (e) => {
      throw e;
    });
    await page.goto(sandbox.url);
    return new SandboxPage(sandbox, browser, page, dir);
  }

  /** Stops the sandbox and starts it again on the same data; the page reloads. */
  async restart(): Promise<void> {
    await this.sandbox.stop();
    this.sandbox = await startSandbox({ port: 0, dataDir: this.dir });
    await this.page.goto(this.sandbox.url);
  }

  async close(): Promise<void> {
    await this.browser?.close();
    await this.sandbox?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Picks who you are, and waits until the page shows that person. */
  async as(id: string): Promise<void> {
    const person = DEMO_PEOPLE.find((p) => p.id === id);
    await this.page.selectOption('select[aria-label="You are"]', id);
    await expect
      .poll(() => this.page.locator(".pane-head").textContent())
      .toContain(person?.realName);
  }

  /** "home", "dm" (the DM with Keyward) or a channel's name. */
  async go(where: string): Promise<void> {
    const nav = this.page.locator(`nav button[data-nav="${where}"]`);
    await nav.click();
    await expect.poll(() => nav.getAttribute("class")).toContain("active");
  }

  get composer(): Locator {
    return this.page.locator('.pane input[aria-label="Message"]');
  }

  /** Sends a message or command from the composer at once (not how a person types). */
  async type(text: string): Promise<void> {
    await this.composer.fill(text);
    await this.composer.press("Enter");
  }

  /** Types into a field key by key, at a person's pace. */
  async typeLikeAPerson(target: Locator, text: string): Promise<void> {
    await target.click();
    await this.page.keyboard.type(text, { delay: HUMAN_KEY_DELAY_MS });
  }

  modal(): Locator {
    return this.page.locator('[role="dialog"]').last();
  }

  /** An input of the open modal by its exact label. */
  field(label: string): Locator {
    return this.modal()
      .locator(".block.input")
      .filter({
        has: this.page.locator(".input-label", {
          hasText: new RegExp(`^${escapeRegExp(label)}( \\(optional\\))?$`),
        }),
      });
  }

  /**
   * Picks an option of one of the modal's selects, as a person does: opens the field's menu
   * and clicks the option whose label starts with `option` ("acme" picks "acme (seller)", not
   * "acme_aff (affiliate)"; "All accounts" picks "All accounts (incl. linked later)").
   */
  async pick(fieldLabel: string, option: string): Promise<void> {
    const field = this.field(fieldLabel);
    await field.locator('input[role="combobox"]').click();
    await field.getByRole("option", { name: new RegExp(`^${escapeRegExp(option)}( |$)`) }).click();
  }

  /** The chosen options of one of the modal's multi-selects, as its chips read. */
  chips(fieldLabel: string): Promise<string[]> {
    return this.field(fieldLabel)
      .locator(".chip")
      .evaluateAll((chips) => chips.map((c) => (c.firstChild?.textContent ?? "").trim()));
  }

  /** Closes every open modal of everyone, as their × would (so one test's leftovers stay put). */
  async closeModals(): Promise<void> {
    const { ws, driver } = this.sandbox.slack;
    for (const [user, stack] of ws.stacks)
      for (const id of [...stack].reverse()) await driver.close(user, id);
    await expect.poll(() => this.page.locator('[role="dialog"]').count()).toBe(0);
  }

  /** The newest message in the open conversation. */
  lastMessage(): Locator {
    return this.page.locator(".messages .message").last();
  }

  shot(name: string, dir: string): Promise<Buffer> {
    return this.page.screenshot({ path: `${dir}/${name}.png` });
  }

  async verify(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.sandbox.app.url}/v1/verify`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.sandbox.verifyToken}` },
      body: JSON.stringify(body),
    });
    return (await res.json()) as Record<string, unknown>;
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
