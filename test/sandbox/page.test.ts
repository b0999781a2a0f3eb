// The sandbox page behaves like a Slack client: typing and ticks are the person's until sent, the
// composer stays in view, switching person on Home completes, badges count unread, threads nest.
import type { Locator } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { disableKey } from "../../src/domain/keys/disable.ts";
import { enableKey } from "../../src/domain/keys/enable.ts";
import { getKey } from "../../src/domain/keys/queries.ts";
import { regenerateKey } from "../../src/domain/keys/regenerate.ts";
import { createRequest } from "../../src/domain/requests/create.ts";
import { shown } from "../helpers/shown.ts";
import { SandboxPage } from "./harness.ts";

let s: SandboxPage;

beforeAll(async () => {
  s = await SandboxPage.open();
}, 60_000);

afterEach(async () => {
  await s.closeModals();
});

afterAll(async () => {
  await s?.close();
});

/** Waits for something the page must reach; generous, because the machine is shared. */
const eventually = <T>(f: () => Promise<T> | T) => expect.poll(f, { timeout: 8000 });

const cellsOf = async (keyName: string) =>
  (await getKey(s.sandbox.app.ctx, keyName)).grants.map((g) => `${g.scope}|${g.api}`).sort();

const escapeRegExp = (t: string) => t.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** Whether the whole element is inside the window (not scrolled away, not below the fold). */
async function inView(l: Locator): Promise<boolean> {
  const box = await l.boundingBox();
  const vp = s.page.viewportSize();
  if (!box || !vp) return false;
  return box.y >= 0 && box.x >= 0 && box.y + box.height <= vp.height + 0.5;
}

describe("what a person enters stays theirs until they submit it", () => {
  it("sends a message typed at a person's pace exactly as typed", async () => {
    await s.as("U0OLIVIA");
    await s.go("general");
    const text = "Partner feed for globex analytics, shipping on Thursday";
    await s.typeLikeAPerson(s.composer, text);
    await s.composer.press("Enter");
    await eventually(
      () =>
        s.sandbox.slack.ws
          .channelMessages("C0GENERAL")
          .filter((m) => m.user === "U0OLIVIA")
          .at(-1)?.text,
    ).toBe(text);
    expect(await s.composer.inputValue()).toBe("");
  });

  it("creates a key with the name typed at a person's pace and every nickname picked in a row", async () => {
    await s.as("U0OLIVIA");
    await s.go("general");
    await s.type("/apikeys create");
    await eventually(() => s.modal().locator("h2").textContent()).toBe("Create API key");
    const name = "Partner feed for globex analytics";
    await s.typeLikeAPerson(s.field("Name").locator("input"), name);
    // Four picks in one menu, one click straight after another, as a quick hand does.
    const analytics = s.field("Analytics API");
    await analytics.locator('input[role="combobox"]').click();
    for (const nick of ["acme", "acme_aff", "globex", "hooli_aff"])
      await analytics
        .getByRole("option", { name: new RegExp(`^${escapeRegExp(nick)} \\(`) })
        .click();
    await s.pick("Orders/Tickets API Read", "globex");
    expect(await s.chips("Analytics API")).toEqual([
      "acme (seller)",
      "acme_aff (affiliate)",
      "globex (seller & affiliate)",
      "hooli_aff (affiliate)",
    ]);
    expect(await s.field("Name").locator("input").inputValue()).toBe(name);
    await s.modal().getByRole("button", { name: "Create" }).click();
    await eventually(() => s.modal().textContent()).toContain("Copy this secret now");
    await s.modal().getByRole("button", { name: "Done" }).last().click();
    expect(await cellsOf(name)).toEqual(
      [
        "acme|analytics",
        "acme_aff|analytics",
        "globex|analytics",
        "hooli_aff|analytics",
        "globex|orders:read",
      ].sort(),
    );
  });

  it("sends a request with the reason typed at a person's pace and every nickname picked in a row", async () => {
    await s.as("U0MAX");
    await s.go("general");
    await s.type("/apikeys request");
    await eventually(() => s.modal().locator("h2").textContent()).toBe("Request access");
    await s.field("Key").locator("input").fill("Storefront");
    await s.page.getByRole("option", { name: /^Storefront catalog/ }).click();
    await eventually(() => s.modal().textContent()).toContain("already has");
    for (const nick of ["acme", "initech", "globex"]) await s.pick("Orders/Tickets API Read", nick);
    await s.pick("Analytics API", "acme");
    await s.field("For how long").getByText("7 days").click();
    const reason = "Showing order status on the storefront's order pages";
    await s.typeLikeAPerson(s.field("Why").locator("textarea"), reason);
    await s.modal().getByRole("button", { name: "Send request" }).click();
    await eventually(() => s.modal().textContent()).toContain("went to the account owners");
    await s.modal().getByRole("button", { name: "Close" }).last().click();

    const [request] = await s.sandbox.app.ctx.uow.run((tx) =>
      tx.requests.list({ requester: "U0MAX", status: "pending", limit: 1 }),
    );
    expect(request?.reason).toBe(reason);
    expect(request?.cells.map((c) => `${c.scope}|${c.api}`).sort()).toEqual(
      ["acme|orders:read", "initech|orders:read", "globex|orders:read", "acme|analytics"].sort(),
    );
  });

  it("approves exactly what an owner left ticked on a card after quick unticks", async () => {
    const ctx = s.sandbox.app.ctx;
    const before = await cellsOf("Affiliate reports");
    const { key } = await getKey(ctx, "Affiliate reports");
    const { request } = await createRequest(ctx, "U0MIA", {
      keyId: key.id,
      cells: [
        { scope: "globex", api: "analytics" },
        { scope: "acme", api: "orders:read" },
        { scope: "acme_aff", api: "orders:read" },
        { scope: "hooli_aff", api: "orders:read" },
      ],
      duration: "30d",
      reason: "Reconciling affiliate payouts against orders",
    });
    s.sandbox.app.worker?.kick();
    await s.as("U0OLIVIA");
    await s.go("dm");
    const card = s.page.locator(".message", { hasText: `Access request #${request.id}` });
    const boxes = card.locator("label", { has: s.page.locator('input[type="checkbox"]') });
    await eventually(() => boxes.count()).toBe(4);
    await card.scrollIntoViewIfNeeded();
    // Untick three of four in quick succession (one click straight after another, as a quick
    // hand does): only globex analytics stays.
    const targets = [];
    for (const label of await boxes.all())
      if (!((await label.textContent()) ?? "").includes("globex"))
        targets.push(await label.locator("input").boundingBox());
    expect(targets).toHaveLength(3);
    for (const box of targets)
      if (box) await s.page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    expect(await card.locator("input:checked").count()).toBe(1);
    await card.getByRole("button", { name: "Approve" }).click();
    await eventually(() => card.textContent()).toContain("Approved");
    expect(await cellsOf("Affiliate reports")).toEqual([...before, "globex|analytics"].sort());
  });
});

describe("layout", () => {
  it("keeps the sidebar and composer in view and opens a long conversation at its newest message", async () => {
    const people = ["U0MAX", "U0MIA", "U0CASEY", "U0OSCAR"];
    for (let i = 1; i <= 80; i++)
      s.sandbox.slack.ws.post({
        channel: "C0ENGINEERING",
        user: people[i % people.length] as string,
        text: `Deploy note ${i}: rolled out build ${1000 + i} to the canary hosts and watched the dashboards for a while`,
      });
    await s.as("U0OLIVIA");
    await s.go("general");
    await s.go("engineering");
    const newest = s.page.locator(".messages .message", { hasText: "Deploy note 80:" });
    await eventually(() => inView(newest)).toBe(true);
    expect(await inView(s.composer)).toBe(true);
    expect(await inView(s.page.locator('select[aria-label="You are"]'))).toBe(true);
    // The conversation scrolls, not the page.
    expect(
      await s.page.evaluate(
        () => (document.scrollingElement?.scrollHeight ?? 0) <= window.innerHeight,
      ),
    ).toBe(true);

    await s.type("Thanks, all green on my side");
    const mine = s.page.locator(".messages .message", { hasText: "Thanks, all green" });
    await eventually(() => inView(mine)).toBe(true);
    expect(await inView(s.composer)).toBe(true);

    // A new message from someone else while at the bottom: it comes into view.
    s.sandbox.slack.ws.post({ channel: "C0ENGINEERING", user: "U0MAX", text: "Canary is fine" });
    await eventually(() =>
      inView(s.page.locator(".messages .message", { hasText: "Canary is fine" })),
    ).toBe(true);
  });
});

describe("Home", () => {
  it("shows each person their own Home when switching person while on Home", async () => {
    await s.as("U0OLIVIA");
    await s.go("home");
    const home = s.page.locator(".messages.home");
    await eventually(() => home.textContent()).toContain("account owner");
    // A connection the page opens to the event stream from here on connects only once the
    // Home it waits for is published: the slowest a network can be, decided by the test.
    let goingTo = "";
    const published = () => s.sandbox.slack.ws.homes.has(goingTo);
    await s.page.route("**/sandbox/api/events", async (route) => {
      await expect.poll(published, { timeout: 20_000, interval: 20 }).toBe(true);
      await route.continue();
    });
    const tour: Array<[string, string, string]> = [
      ["U0CASEY", "on-call engineer", "You own no keys."],
      ["U0MIA", "request access", "Billing sync"],
      ["U0MAX", "request access", "Storefront catalog"],
      ["U0OSCAR", "account owner", "Legacy subscriptions"],
      ["U0MIA", "request access", "Affiliate reports"],
    ];
    try {
      for (const [who, role, ownKey] of tour) {
        goingTo = who;
        await s.as(who);
        // Both, in either order; a failure shows what the page shows instead.
        await eventually(() => home.textContent()).toMatch(
          new RegExp(`(?=[\\s\\S]*${escapeRegExp(role)})(?=[\\s\\S]*${escapeRegExp(ownKey)})`),
        );
      }
    } finally {
      await s.page.unroute("**/sandbox/api/events");
    }
  });
});

describe("badges and threads", () => {
  it("counts unread messages in a DM's badge, not every message", async () => {
    const ctx = s.sandbox.app.ctx;
    const { key } = await getKey(ctx, "Billing sync");
    const badge = s.page.locator('nav button[data-nav="dm"] .count');
    const dmBadge = async () => ((await badge.count()) ? await badge.textContent() : "");
    await s.as("U0MIA");
    await s.go("general");
    if (await s.page.locator('nav button[data-nav="dm"]').count()) {
      await s.go("dm");
      await eventually(dmBadge).toBe("");
      await s.go("general");
    }
    const kick = () => s.sandbox.app.worker?.kick();
    await disableKey(ctx, "U0OLIVIA", { keyId: key.id, reason: "Pausing billing sync" });
    kick();
    await eventually(dmBadge).toBe("1");
    await enableKey(ctx, "U0OLIVIA", { keyId: key.id });
    kick();
    await eventually(dmBadge).toBe("2");
    await s.go("dm");
    await eventually(dmBadge).toBe("");
    await s.go("general");
    await disableKey(ctx, "U0OLIVIA", { keyId: key.id, reason: "Pausing billing sync again" });
    kick();
    await eventually(dmBadge).toBe("1");
    await enableKey(ctx, "U0OLIVIA", { keyId: key.id });
  });

  it("shows thread replies as 'N replies' under their parent, and opens the thread beside", async () => {
    const ctx = s.sandbox.app.ctx;
    const { key } = await getKey(ctx, "Storefront catalog");
    const secret = shown(
      (await regenerateKey(ctx, "U0OLIVIA", { keyId: key.id, grace: "none" })).secret,
    );
    await s.as("U0MAX");
    await s.go("general");
    await s.type(`here's the storefront key ${secret}`);
    const parent = s.page.locator(".messages .message", { hasText: "here's the storefront key" });
    const replies = parent.getByRole("button", { name: /^1 reply/ });
    await eventually(() => replies.count()).toBe(1);
    // The reply is in its thread, not inline in the channel.
    expect(await s.page.locator(".messages").first().textContent()).not.toContain("live API key");
    await replies.click();
    const thread = s.page.locator('[aria-label="Thread"]');
    await eventually(() => thread.textContent()).toContain("live API key");
    expect(await thread.textContent()).toContain("here's the storefront key");
    expect(await thread.locator(".message").count()).toBe(2);
    expect(await thread.locator(".message").nth(1).textContent()).not.toContain(secret.slice(11));

    const reply = thread.locator('input[aria-label="Reply"]');
    await s.typeLikeAPerson(reply, "Deleted it, thanks");
    await reply.press("Enter");
    await eventually(() => thread.locator(".message").count()).toBe(3);
    await eventually(() => parent.getByRole("button", { name: /^2 replies/ }).count()).toBe(1);
    const sent = s.sandbox.slack.ws.channelMessages("C0GENERAL").at(-1);
    expect(sent).toMatchObject({ user: "U0MAX", text: "Deleted it, thanks" });
    expect(sent?.threadTs).toBeTruthy();
    expect(await s.page.locator(".messages").first().textContent()).not.toContain(
      "Deleted it, thanks",
    );
  });
});
