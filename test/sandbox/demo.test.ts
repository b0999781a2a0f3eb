// The demo account looks lived in (keys of different ages, used, stale, expiring), its audit log
// tells the same story as its data, DMs are not a pile of old news, and no secret is kept.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEvent } from "../../src/domain/types.ts";
import { keyUsage } from "../../src/domain/usage/summary.ts";
import { createLog } from "../../src/log.ts";
import { type Sandbox, startSandbox } from "../../src/sandbox/run.ts";

const DAY = 24 * 60 * 60 * 1000;
const SECRET = /kw_[0-9A-Za-z]{46}/;
let sandbox: Sandbox;
let dir: string;
const logs: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keyward-demo-"));
  sandbox = await startSandbox({
    port: 0,
    dataDir: dir,
    log: createLog("debug", (l) => logs.push(l)),
  });
  await sandbox.app.worker?.drain();
}, 60_000);

afterAll(async () => {
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const keys = async () =>
  (await sandbox.app.ctx.uow.run((tx) => tx.keys.list({ offset: 0, limit: 100 }))).keys;
const audit = async (): Promise<AuditEvent[]> =>
  sandbox.app.ctx.uow.run((tx) => tx.audit.list({ limit: 500 }));
const daysAgo = (d: Date | null | undefined) => (d ? (Date.now() - d.getTime()) / DAY : null);

describe("the demo account", () => {
  it("has keys of different ages, some used recently, one stale and one expiring soon", async () => {
    expect(sandbox.seeded).toBe(true);
    const all = await keys();
    const ages = all.map((k) => daysAgo(k.createdAt) ?? 0);
    expect(Math.max(...ages)).toBeGreaterThan(180);
    expect(Math.min(...ages)).toBeLessThan(60);
    expect(new Set(ages.map((a) => Math.floor(a / 30))).size).toBeGreaterThanOrEqual(4);

    const active = all.filter((k) => k.status === "active");
    const usedToday = active.filter((k) => (daysAgo(k.lastUsedAt) ?? 99) < 1);
    expect(usedToday.length).toBeGreaterThanOrEqual(2);
    const stale = active.filter((k) => (daysAgo(k.lastUsedAt) ?? 0) > 90);
    expect(stale.map((k) => k.name)).toHaveLength(1);
    const expiring = active.filter(
      (k) => k.expiresAt && k.expiresAt.getTime() > Date.now() && (daysAgo(k.expiresAt) ?? 0) > -14,
    );
    expect(expiring).toHaveLength(1);
    expect(all.some((k) => k.status === "disabled")).toBe(true);
  });

  it("has an audit log that tells the same story as the data", async () => {
    const events = await audit();
    // The sandbox makes its first owners from configuration as it starts, before the seed.
    const times = events
      .filter((e) => e.reason !== "Bootstrapped from OWNER_USER_IDS")
      .sort((a, b) => a.id - b.id)
      .map((e) => e.at.getTime());
    // Appended in the order things happened, over months.
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(daysAgo(new Date(times[0] ?? Date.now()))).toBeGreaterThan(180);
    for (const k of await keys()) {
      const created = events.find((e) => e.action === "key.created" && e.keyId === k.id);
      expect(created?.at.getTime(), k.name).toBe(k.createdAt.getTime());
      expect(created?.actor).toBe(k.createdBy);
      const updated = events.filter((e) => e.keyId === k.id && e.at <= k.updatedAt);
      expect(updated[0]?.at.getTime(), k.name).toBe(k.updatedAt.getTime());
      if (k.status === "disabled")
        expect(events.some((e) => e.keyId === k.id && e.action === "key.disabled")).toBe(true);
    }
  });

  it("has months of usage, so Quick view has a month to show and a grant nobody uses", async () => {
    const all = await keys();
    const named = (n: string) => all.find((k) => k.name === n) as (typeof all)[number];
    const billing = await keyUsage(sandbox.app.ctx, named("Billing sync"));
    // Every one of the last 30 days was counted, weekdays busier than weekends.
    expect(billing.days).toHaveLength(30);
    expect(billing.days.every((d) => (d.calls ?? 0) > 0)).toBe(true);
    expect(new Set(billing.days.map((d) => d.calls)).size).toBeGreaterThan(5);
    expect(billing.advice.kind).toBe("nothing");
    // The storefront key stopped reading initech's products in the spring.
    const storefront = await keyUsage(sandbox.app.ctx, named("Storefront catalog"));
    expect(storefront.advice).toMatchObject({
      kind: "grants_unused",
      grants: [{ scope: "initech", api: "products" }],
    });
    // The stale key is called out as a key nobody uses.
    const stale = await keyUsage(sandbox.app.ctx, named("Affiliate reports"));
    expect(stale.advice.kind).toBe("key_unused");
  });

  it("does not pile months-old news into anyone's DM", async () => {
    const ws = sandbox.slack.ws;
    const dms = [...ws.conversations.values()].filter((c) => c.isIm);
    for (const c of dms) expect(ws.channelMessages(c.id).length, c.id).toBeLessThanOrEqual(2);
    // What is there is current: a request waiting for the owners.
    const olivia = ws.channelMessages("D0OLIVIA");
    expect(olivia.map((m) => m.text).join("\n")).toContain("Access request");
  });

  it("keeps and prints no secret", async () => {
    await sandbox.stop();
    const files = ["sandbox.db", "sandbox.db-wal", "sandbox-slack.json"]
      .map((f) => join(dir, f))
      .filter(existsSync);
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) expect(SECRET.test(readFileSync(f).toString("latin1")), f).toBe(false);
    for (const line of logs) expect(SECRET.test(line), line).toBe(false);
    expect(logs.some((l) => l.includes("kw_[redacted]"))).toBe(false);
    const calls = sandbox.slack.api.calls.map((c) => JSON.stringify(c.args));
    for (const c of calls) expect(SECRET.test(c)).toBe(false);
  });
});
