// Usage on both backends, end to end below Slack: verifications answered by the store's own
// lookup, counted by the recorder, written behind, read back as days, checks and each grant's
// last use; least-privilege advice from them; "Remove unused grants" through the edit path;
// pruning past the retention.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ApiId } from "../../src/domain/catalog.ts";
import { StaleError } from "../../src/domain/errors.ts";
import { createKey } from "../../src/domain/keys/create.ts";
import { deleteKey } from "../../src/domain/keys/delete.ts";
import { editKey } from "../../src/domain/keys/edit.ts";
import { getKey } from "../../src/domain/keys/queries.ts";
import { verify } from "../../src/domain/keys/verify.ts";
import { addNickname } from "../../src/domain/nicknames/add.ts";
import { startCountingUsage } from "../../src/domain/usage/counting.ts";
import { dayOf } from "../../src/domain/usage/days.ts";
import { removeUnusedGrants } from "../../src/domain/usage/remove-unused.ts";
import { keyUsage } from "../../src/domain/usage/summary.ts";
import { RETENTION_DAYS, UNUSED_DAYS } from "../../src/domain/usage/unused.ts";
import type { StoreTx, UsageRow } from "../../src/store/types.ts";
import type { TxRunner } from "../../src/store/unit-of-work.ts";
import { pruneUsage } from "../../src/store/usage-prune.ts";
import { UsageRecorder } from "../../src/store/usage-recorder.ts";
import { DAY } from "../helpers/clock.ts";
import { auditActions, outboxNotices, query } from "../helpers/db-rows.ts";
import { BACKENDS, MEMBER, OWNER, OWNER2, type TestStore, testStore } from "../helpers/store.ts";

describe.each(BACKENDS)("usage on the %s store", (backend) => {
  let t: TestStore;
  let recorder: UsageRecorder;
  beforeEach(async () => {
    t = await testStore(backend);
    recorder = new UsageRecorder(t.store.uow, { intervalMs: 60_000 });
    await addNickname(t.ctx, OWNER, { nickname: "acme", kind: "seller" });
    await addNickname(t.ctx, OWNER, { nickname: "aff", kind: "affiliate" });
  });
  afterEach(async () => {
    await recorder.stop();
    await t.cleanup();
  });

  async function newKey(name: string, cells: Array<{ scope: string; api: ApiId }>) {
    return createKey(t.ctx, OWNER, { name, keyOwner: MEMBER, cells, expiresAt: null });
  }

  /** Asks the store's own verification lookup, and records the use as the HTTP handler does. */
  async function check(secret: string, nickname?: string, api?: ApiId) {
    const now = t.clock.now();
    const q = { key: secret, check: nickname && api ? { nickname, api } : undefined };
    const r = await verify(t.store.verify, now, q);
    if (r.usedKeyId !== null) {
      await touch(r.usedKeyId);
      recorder.record(r.usedKeyId, now, q.check, r.grant);
    }
    return r.answer;
  }

  /** last_used_at, as the last-use recorder writes it. */
  const touch = (keyId: number) =>
    t.store.uow.run((tx) => tx.keys.touchLastUsed(new Map([[keyId, t.clock.now()]])), {
      quiet: true,
    });

  it("counts verifications per key and day, and allowed checks per nickname, API and grant, summed across batches", async () => {
    const { key, secret } = await newKey("Reports", [
      { scope: "acme", api: "analytics" },
      { scope: "*", api: "orders:write" },
    ]);
    const today = dayOf(t.clock.now());
    for (let i = 0; i < 3; i++) await check(secret, "acme", "analytics");
    await check(secret, "aff", "orders:read");
    await check(secret, "aff", "products"); // refused: not granted
    await check(secret); // lists its grants
    expect(await recorder.flush()).toBe(true);
    await check(secret, "acme", "analytics");
    await check(secret, "acme", "orders:write");
    expect(await recorder.flush()).toBe(true);
    t.clock.advance(DAY);
    await check(secret, "aff", "orders:read");
    expect(await recorder.flush()).toBe(true);

    const rows = await t.store.uow.run((tx) => tx.usage.days(key.id, today - 1));
    expect(rows).toEqual([
      { day: today, calls: 8, refused: 1 },
      { day: today + 1, calls: 1, refused: 0 },
    ]);
    const checks = await t.store.uow.run((tx) => tx.usage.checks(key.id, today));
    const sorted = [...checks].sort((a, b) =>
      `${a.nickname}${a.api}`.localeCompare(`${b.nickname}${b.api}`),
    );
    expect(sorted).toEqual([
      {
        nickname: "acme",
        api: "analytics",
        grant: { scope: "acme", api: "analytics" },
        calls: 4,
        lastDay: today,
      },
      {
        nickname: "acme",
        api: "orders:write",
        grant: { scope: "*", api: "orders:write" },
        calls: 1,
        lastDay: today,
      },
      // orders:read through the All-accounts orders:write grant: counted against it, as read.
      {
        nickname: "aff",
        api: "orders:read",
        grant: { scope: "*", api: "orders:write" },
        calls: 2,
        lastDay: today + 1,
      },
    ]);
  });

  it("drops the counts of a key deleted before they were written, and a deleted key's rows go with it", async () => {
    const a = await newKey("Gone", [{ scope: "acme", api: "analytics" }]);
    const b = await newKey("Stays", [{ scope: "acme", api: "analytics" }]);
    await check(a.secret, "acme", "analytics");
    await check(b.secret, "acme", "analytics");
    expect(await recorder.flush()).toBe(true);
    await check(a.secret, "acme", "analytics");
    await check(b.secret, "acme", "analytics");
    await deleteKey(t.ctx, OWNER, { keyId: a.key.id, confirmName: "Gone" });
    expect(await recorder.flush()).toBe(true);
    expect(recorder.waiting).toBe(0);
    const keyIds = async (table: string) =>
      (await query<{ key_id: number }>(t.store, `select distinct key_id from ${table}`)).map((r) =>
        Number(r.key_id),
      );
    expect(await keyIds("key_daily_usage")).toEqual([b.key.id]);
    expect(await keyIds("grant_daily_usage")).toEqual([b.key.id]);
  });

  it("reads each grant's last use from a day on, with when it was granted", async () => {
    const { key, secret } = await newKey("Reports", [
      { scope: "acme", api: "analytics" },
      { scope: "acme", api: "products" },
    ]);
    const granted = t.clock.now();
    const day0 = dayOf(granted);
    await check(secret, "acme", "analytics");
    t.clock.advance(5 * DAY);
    await check(secret, "acme", "analytics");
    await recorder.flush();
    const read = async (from: number) =>
      (await t.store.uow.run((tx) => tx.usage.grantUse([key.id, 999_999], from))).get(key.id);
    expect(await read(day0)).toEqual([
      {
        scope: "acme",
        api: "analytics",
        grantedAt: granted,
        expiresAt: null,
        lastUsedDay: day0 + 5,
      },
      { scope: "acme", api: "products", grantedAt: granted, expiresAt: null, lastUsedDay: null },
    ]);
    expect((await read(day0 + 6))?.map((g) => g.lastUsedDay)).toEqual([null, null]);
  });

  describe("least privilege", () => {
    /** Counting began, then a key with three grants; a month and a half later, two in use. */
    async function monthOld() {
      await startCountingUsage(t.ctx);
      const made = await newKey("Reports", [
        { scope: "acme", api: "analytics" },
        { scope: "acme", api: "products" },
        { scope: "*", api: "orders:write" },
      ]);
      t.clock.advance(45 * DAY);
      await check(made.secret, "acme", "analytics");
      await check(made.secret, "aff", "orders:read");
      await recorder.flush();
      const { key } = await getKey(t.ctx, made.key.id);
      return { ...made, key };
    }

    it("calls nothing unused until counting covers the window, for a key in use since before counting began", async () => {
      const { key, secret } = await newKey("Old", [
        { scope: "acme", api: "analytics" },
        { scope: "acme", api: "products" },
      ]);
      // Used for months before this Keyward counted anything: last use known, no counts.
      t.clock.advance(100 * DAY);
      await touch(key.id);
      const began = await startCountingUsage(t.ctx);
      t.clock.advance(10 * DAY);
      await check(secret, "acme", "analytics");
      await recorder.flush();
      const advice = async () => (await keyUsage(t.ctx, (await getKey(t.ctx, key.id)).key)).advice;
      expect(await advice()).toEqual({
        kind: "counting",
        ready: new Date((dayOf(began) + UNUSED_DAYS + 1) * DAY),
      });
      t.clock.advance(21 * DAY);
      await check(secret, "acme", "analytics");
      await recorder.flush();
      expect(await advice()).toMatchObject({
        kind: "grants_unused",
        grants: [{ api: "products", idleDays: 31, lastUsedDay: null }],
      });
      // Counting began once: a restart does not move it.
      expect(await startCountingUsage(t.ctx)).toEqual(began);
    });

    it("says which grants went unused, and the last 30 days with zeros for days without use", async () => {
      const { key } = await monthOld();
      const usage = await keyUsage(t.ctx, key);
      expect(usage.advice).toMatchObject({
        kind: "grants_unused",
        since: dayOf(t.clock.now()) - UNUSED_DAYS,
        grants: [{ scope: "acme", api: "products", idleDays: 45, lastUsedDay: null }],
      });
      expect(usage.days).toHaveLength(30);
      expect(usage.days.map((d) => d.calls)).toEqual([...Array(29).fill(0), 2]);
      expect(usage.calls).toBe(2);
      expect(usage.grants.map((g) => `${g.grant.scope} ${g.grant.api} ${g.calls}`).sort()).toEqual([
        "* orders:write 1",
        "acme analytics 1",
      ]);
    });

    it("does not call a grant added 3 days ago unused", async () => {
      const { key } = await monthOld();
      await editKey(t.ctx, OWNER, {
        keyId: key.id,
        cells: [
          { scope: "acme", api: "analytics" },
          { scope: "acme", api: "products" },
          { scope: "*", api: "orders:write" },
          { scope: "aff", api: "analytics" },
        ],
      });
      t.clock.advance(3 * DAY);
      const fresh = (await getKey(t.ctx, key.id)).key;
      const advice = (await keyUsage(t.ctx, fresh)).advice;
      expect(advice.kind === "grants_unused" && advice.grants.map((g) => g.api)).toEqual([
        "products",
      ]);
    });

    it("removes them through the edit path: owners only, the version seen, audit event, DMs with the diff", async () => {
      const { key, secret } = await monthOld();
      const since = dayOf(t.clock.now()) - UNUSED_DAYS;
      const input = { keyId: key.id, expectedVersion: key.version, since };
      const before = (await auditActions(t.store)).length;

      await expect(removeUnusedGrants(t.ctx, MEMBER, input)).rejects.toThrow(
        "Only account owners can edit keys.",
      );
      await expect(
        removeUnusedGrants(t.ctx, OWNER, { ...input, expectedVersion: key.version - 1 }),
      ).rejects.toBeInstanceOf(StaleError);
      await expect(
        removeUnusedGrants(t.ctx, OWNER, { ...input, since: dayOf(t.clock.now()) - 3 }),
      ).rejects.toThrow(/after 30 days without use/);
      expect(await auditActions(t.store)).toHaveLength(before);

      const r = await removeUnusedGrants(t.ctx, OWNER, input);
      expect(r.removed).toEqual([{ scope: "acme", api: "products" }]);
      expect(r.key.version).toBe(key.version + 1);
      expect((await getKey(t.ctx, key.id)).grants.map((g) => `${g.scope} ${g.api}`)).toEqual([
        "* orders:write",
        "acme analytics",
      ]);
      const events = await query<{ action: string; reason: string; diff: string }>(
        t.store,
        "select action, reason, diff from audit_events order by id desc limit 1",
      );
      expect(events[0]?.action).toBe("key.permissions_changed");
      expect(events[0]?.reason).toMatch(
        /^Not used since \d{4}-\d{2}-\d{2}: removed as an unused grant\.$/,
      );
      expect(JSON.parse(String(events[0]?.diff)).changes).toEqual(["− Products API on acme"]);
      const dms = (await outboxNotices(t.store)).filter((n) => n.notice.title === "API key edited");
      expect(dms.map((d) => d.recipient).sort()).toEqual([MEMBER, OWNER2].sort());
      expect(dms[0]?.notice.changes).toEqual(["− Products API on acme"]);
      // What stays still answers; what went is refused.
      expect(await check(secret, "acme", "analytics")).toMatchObject({ allowed: true });
      expect(await check(secret, "acme", "products")).toMatchObject({ allowed: false });
      // The same suggestion again: the version moved on.
      await expect(removeUnusedGrants(t.ctx, OWNER, input)).rejects.toBeInstanceOf(StaleError);
    });

    it("keeps a grant used since the suggestion was made", async () => {
      const { key, secret } = await monthOld();
      const since = dayOf(t.clock.now()) - UNUSED_DAYS;
      await check(secret, "acme", "products");
      await recorder.flush();
      const before = (await auditActions(t.store)).length;
      const r = await removeUnusedGrants(t.ctx, OWNER, {
        keyId: key.id,
        expectedVersion: key.version,
        since,
      });
      expect(r.removed).toEqual([]);
      expect(await auditActions(t.store)).toHaveLength(before);
      expect((await getKey(t.ctx, key.id)).grants).toHaveLength(3);
    });
  });

  it("prunes rows past the retention in bounded chunks, keeping the rest", async () => {
    const { key } = await newKey("Reports", [{ scope: "acme", api: "analytics" }]);
    const today = dayOf(t.clock.now());
    const rows: UsageRow[] = [];
    for (let d = today - RETENTION_DAYS - 9; d <= today; d++) {
      rows.push({ kind: "key", keyId: key.id, day: d, calls: 1, refused: 0 });
      rows.push({
        kind: "check",
        keyId: key.id,
        day: d,
        nickname: "acme",
        api: "analytics",
        grantScope: "acme",
        grantApi: "analytics",
        calls: 1,
      });
    }
    await t.store.uow.run((tx) => tx.usageLog.add(rows), { quiet: true });
    // The store's own transactions, each one's count of deleted rows noted.
    const chunks: number[] = [];
    const uow: TxRunner<StoreTx> = {
      run: (work, opts) =>
        t.store.uow.run(async (tx) => {
          const r = await work(tx);
          if (typeof r === "number") chunks.push(r);
          return r;
        }, opts),
    };
    expect(await pruneUsage(uow, t.clock.now(), 7)).toBe(2 * 9);
    expect(chunks).toEqual([7, 7, 4]);
    const days = async (table: string) =>
      (await query<{ day: number }>(t.store, `select min(day) as day from ${table}`))[0]?.day;
    expect(await days("key_daily_usage")).toBe(today - RETENTION_DAYS);
    expect(await days("grant_daily_usage")).toBe(today - RETENTION_DAYS);
    expect(await pruneUsage(t.store.uow, t.clock.now())).toBe(0);
  });
});
