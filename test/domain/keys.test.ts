import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DomainError, StaleError } from "../../src/domain/errors.ts";
import { createKey } from "../../src/domain/keys/create.ts";
import { deleteKey } from "../../src/domain/keys/delete.ts";
import { disableKey } from "../../src/domain/keys/disable.ts";
import { editKey } from "../../src/domain/keys/edit.ts";
import { enableKey } from "../../src/domain/keys/enable.ts";
import { getKey, listKeys } from "../../src/domain/keys/queries.ts";
import { regenerateKey } from "../../src/domain/keys/regenerate.ts";
import { verify } from "../../src/domain/keys/verify.ts";
import { addNickname } from "../../src/domain/nicknames/add.ts";
import { removeNickname } from "../../src/domain/nicknames/remove.ts";
import { addRole } from "../../src/domain/roles/add.ts";
import { DAY, HOUR } from "../helpers/clock.ts";
import { auditActions, outboxNotices, query } from "../helpers/db-rows.ts";
import { shown } from "../helpers/shown.ts";
import {
  BACKENDS,
  MEMBER,
  ONCALL,
  OWNER,
  OWNER2,
  type TestStore,
  testStore,
} from "../helpers/store.ts";

describe.each(BACKENDS)("on %s", (backend) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await testStore(backend);
    for (const [nickname, kind] of [
      ["acme", "seller"],
      ["acme_aff", "affiliate"],
      ["globex", "both"],
    ] as const) {
      await addNickname(t.ctx, OWNER, { nickname, kind });
    }
    await addRole(t.ctx, OWNER, { userId: ONCALL, role: "oncall" });
  });
  afterEach(() => t.cleanup());

  const create = (name = "Billing sync", cells = [{ scope: "acme", api: "orders:read" }]) =>
    createKey(t.ctx, OWNER, { name, keyOwner: MEMBER, cells, expiresAt: null });

  // Answered from memory when cached; on PostgreSQL a miss waits for the database.
  const check = async (secret: string, nickname?: string, api?: string) =>
    (
      await verify(t.store.verify, t.clock.now(), {
        key: secret,
        check: nickname && api ? { nickname, api: api as never } : undefined,
      })
    ).answer;

  async function refusal(p: Promise<unknown>): Promise<DomainError> {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }

  describe("creating keys", () => {
    it("stores the key, its grants, an audit event and a DM per owner and key owner, together", async () => {
      const { key, secret } = await create();
      expect(key.name).toBe("Billing sync");
      expect(key.publicId).toHaveLength(8);
      expect(secret.slice(3, 11)).toBe(key.publicId);
      expect((await getKey(t.ctx, key.id)).grants).toEqual([
        { scope: "acme", api: "orders:read", expiresAt: null, requestId: null },
      ]);
      expect((await auditActions(t.store)).at(-1)).toBe("key.created");
      // The actor (OWNER) is not told; the other owner and the key owner are.
      const dms = (await outboxNotices(t.store)).filter(
        (n) => n.notice.title === "API key created",
      );
      expect(dms.map((d) => d.recipient).sort()).toEqual([MEMBER, OWNER2].sort());
    });

    it("trims the name and refuses empty, 61-character and duplicate names (any case)", async () => {
      expect((await create("  Spaced  ")).key.name).toBe("Spaced");
      expect((await refusal(create("   "))).field).toBe("name");
      expect((await refusal(create("x".repeat(61)))).message).toMatch(/at most 60/);
      expect((await create("y".repeat(60))).key.name).toHaveLength(60);
      const dup = await refusal(create("SPACED"));
      expect(dup.code).toBe("conflict");
      expect(dup.message).toContain('"Spaced" already exists');
    });

    it("refuses a duplicate name outside ASCII in words, not with a database error", async () => {
      await create("Ŋorth exporter");
      const dup = await refusal(create("Ŋorth exporter"));
      expect(dup.code).toBe("conflict");
    });

    it("refuses bad permissions with a message a person can act on", async () => {
      expect((await refusal(create("a", [{ scope: "nope", api: "analytics" }]))).message).toContain(
        '"nope" is not a linked account nickname',
      );
      expect((await refusal(create("b", [{ scope: "acme", api: "billing" }]))).message).toContain(
        'no API called "billing"',
      );
      const products = await refusal(create("c", [{ scope: "acme_aff", api: "products" }]));
      expect(products.message).toBe(
        'Products API is for sellers only: "acme_aff" is an affiliate account.',
      );
      // Nothing was half-written by the refusals.
      expect(await query(t.store, "select * from api_keys")).toHaveLength(0);
    });

    it("is for owners only", async () => {
      for (const who of [MEMBER, ONCALL]) {
        const e = await refusal(
          createKey(t.ctx, who, { name: "x", keyOwner: who, cells: [], expiresAt: null }),
        );
        expect(e.code).toBe("forbidden");
      }
    });

    it("refuses an expiry in the past", async () => {
      const e = await refusal(
        createKey(t.ctx, OWNER, {
          name: "x",
          keyOwner: OWNER,
          cells: [],
          expiresAt: new Date(t.clock.now().getTime() - 1),
        }),
      );
      expect(e.field).toBe("expires");
    });
  });

  describe("editing keys", () => {
    it("diffs permissions and writes nothing when nothing changes", async () => {
      const { key } = await create();
      const before = (await query(t.store, "select * from audit_events")).length;
      const same = await editKey(t.ctx, OWNER, {
        keyId: key.id,
        expectedVersion: key.version,
        name: key.name,
        cells: [{ scope: "acme", api: "orders:read" }],
      });
      expect(same.changed).toBe(false);
      expect(await query(t.store, "select * from audit_events")).toHaveLength(before);

      const res = await editKey(t.ctx, OWNER, {
        keyId: key.id,
        cells: [
          { scope: "acme", api: "orders:write" },
          { scope: "*", api: "products" },
        ],
      });
      expect(res.changed).toBe(true);
      const dm = (await outboxNotices(t.store)).at(-1)?.notice;
      expect(dm?.changes).toEqual([
        "+ Products API on all accounts",
        "+ Orders/Tickets API Read/Write on acme",
        "− Orders/Tickets API Read on acme",
      ]);
      expect((await auditActions(t.store)).at(-1)).toBe("key.permissions_changed");
    });

    it("renames, refusing a name another key has", async () => {
      const { key } = await create("One");
      await create("Two");
      const rename = (name: string) => editKey(t.ctx, OWNER, { keyId: key.id, name });
      expect((await refusal(rename("two"))).code).toBe("conflict");
      const r = await rename("Uno");
      expect(r.key.name).toBe("Uno");
      expect(r.key.version).toBe(key.version + 1);
      expect((await auditActions(t.store)).at(-1)).toBe("key.renamed");
    });

    it("refuses a stale version, saying who changed it and when", async () => {
      const { key } = await create();
      t.clock.advance(HOUR);
      await editKey(t.ctx, OWNER2, { keyId: key.id, name: "Changed by two" });
      const e = await refusal(
        editKey(t.ctx, OWNER, { keyId: key.id, expectedVersion: key.version, name: "Mine" }),
      );
      expect(e).toBeInstanceOf(StaleError);
      expect((e as StaleError).changedBy).toBe(OWNER2);
      expect((e as StaleError).changedAt).toEqual(t.clock.now());
    });
  });

  describe("verification rules", () => {
    it("lets orders:write satisfy orders:read and nothing else", async () => {
      const { secret } = await create("w", [{ scope: "acme", api: "orders:write" }]);
      expect(await check(secret, "acme", "orders:read")).toMatchObject({
        valid: true,
        allowed: true,
      });
      expect(await check(secret, "acme", "orders:write")).toMatchObject({ allowed: true });
      expect(await check(secret, "acme", "analytics")).toMatchObject({
        allowed: false,
        reason: "not_permitted",
      });
      expect(await check(secret, "globex", "orders:read")).toMatchObject({ allowed: false });
    });

    it("lets All accounts cover nicknames linked later, Products only for sellers", async () => {
      const { secret } = await create("all", [
        { scope: "*", api: "analytics" },
        { scope: "*", api: "products" },
      ]);
      await addNickname(t.ctx, OWNER, { nickname: "newco", kind: "affiliate" });
      await addNickname(t.ctx, OWNER, { nickname: "newsell", kind: "seller" });
      expect(await check(secret, "newco", "analytics")).toMatchObject({ allowed: true });
      expect(await check(secret, "newco", "products")).toMatchObject({ allowed: false });
      expect(await check(secret, "newsell", "products")).toMatchObject({ allowed: true });
      expect(await check(secret, "unlinked", "analytics")).toMatchObject({ allowed: false });
    });

    it("stops expired keys and expired grants", async () => {
      const { key, secret } = await create();
      await editKey(t.ctx, OWNER, {
        keyId: key.id,
        expiresAt: new Date(t.clock.now().getTime() + DAY),
      });
      await t.store.uow.run((tx) =>
        tx.grants.add(
          key.id,
          [
            {
              scope: "globex",
              api: "analytics",
              expiresAt: new Date(t.clock.now().getTime() + HOUR),
              requestId: null,
            },
          ],
          t.clock.now(),
          OWNER,
        ),
      );
      expect(await check(secret, "globex", "analytics")).toMatchObject({ allowed: true });
      t.clock.advance(HOUR);
      expect(await check(secret, "globex", "analytics")).toMatchObject({ allowed: false });
      expect(await check(secret, "acme", "orders:read")).toMatchObject({ allowed: true });
      t.clock.advance(DAY);
      expect(await check(secret, "acme", "orders:read")).toEqual({
        valid: false,
        reason: "expired",
      });
    });

    it("lists a key's live grants when asked without nickname and api", async () => {
      const { key, secret } = await create("g", [{ scope: "*", api: "analytics" }]);
      expect(await check(secret)).toEqual({
        valid: true,
        keyId: key.publicId,
        name: "g",
        grants: [{ nickname: "*", api: "analytics", expiresAt: null }],
      });
    });

    it("refuses malformed and bad-checksum keys as unknown", async () => {
      const { secret } = await create();
      const tampered = secret.slice(0, 20) + (secret[20] === "a" ? "b" : "a") + secret.slice(21);
      expect(await check(tampered, "acme", "orders:read")).toEqual({
        valid: false,
        reason: "unknown_key",
      });
      expect(await check("hello", "acme", "orders:read")).toEqual({
        valid: false,
        reason: "unknown_key",
      });
    });
  });

  describe("regenerating", () => {
    it("kills the old secret at once by default", async () => {
      const { key, secret } = await create();
      const r = await regenerateKey(t.ctx, OWNER, { keyId: key.id, grace: "none" });
      const fresh = shown(r.secret);
      expect(fresh).not.toBe(secret);
      expect(await check(secret, "acme", "orders:read")).toEqual({
        valid: false,
        reason: "rotated",
      });
      expect(await check(fresh, "acme", "orders:read")).toMatchObject({ allowed: true });
      expect(r.key.regeneratedAt).toEqual(t.clock.now());
    });

    it("keeps the old secret for the chosen grace window, then says rotated", async () => {
      for (const [grace, ms] of [
        ["1h", HOUR],
        ["24h", DAY],
        ["7d", 7 * DAY],
      ] as const) {
        const { key, secret } = await create(`k-${grace}`);
        const r = await regenerateKey(t.ctx, OWNER, { keyId: key.id, grace });
        t.clock.advance(ms - 1);
        expect(await check(secret, "acme", "orders:read")).toMatchObject({ allowed: true });
        expect(await check(shown(r.secret), "acme", "orders:read")).toMatchObject({
          allowed: true,
        });
        t.clock.advance(1);
        expect(await check(secret, "acme", "orders:read")).toEqual({
          valid: false,
          reason: "rotated",
        });
      }
    });

    it("is for owners only", async () => {
      const { key } = await create();
      expect(
        (await refusal(regenerateKey(t.ctx, ONCALL, { keyId: key.id, grace: "none" }))).code,
      ).toBe("forbidden");
    });
  });

  describe("disabling, enabling, deleting", () => {
    it("on-call may disable with a reason, only owners enable", async () => {
      const { key, secret } = await create();
      expect((await refusal(disableKey(t.ctx, ONCALL, { keyId: key.id }))).field).toBe("reason");
      await disableKey(t.ctx, ONCALL, { keyId: key.id, reason: "leaked in #general" });
      expect(await check(secret, "acme", "orders:read")).toEqual({
        valid: false,
        reason: "disabled",
      });
      expect((await refusal(enableKey(t.ctx, ONCALL, { keyId: key.id }))).code).toBe("forbidden");
      expect((await refusal(disableKey(t.ctx, MEMBER, { keyId: key.id, reason: "x" }))).code).toBe(
        "forbidden",
      );
      await enableKey(t.ctx, OWNER, { keyId: key.id });
      expect(await check(secret, "acme", "orders:read")).toMatchObject({ allowed: true });
      const audit = await query<{ action: string; reason: string | null }>(
        t.store,
        "select action, reason from audit_events where key_id = ? order by id",
        key.id,
      );
      expect(audit.map((a) => a.action)).toEqual(["key.created", "key.disabled", "key.enabled"]);
      expect(audit[1]?.reason).toBe("leaked in #general");
    });

    it("deletes permanently once the name is typed; the audit log keeps the record", async () => {
      const { key, secret } = await create();
      const e = await refusal(deleteKey(t.ctx, OWNER, { keyId: key.id, confirmName: "billing" }));
      expect(e.field).toBe("confirm_name");
      await deleteKey(t.ctx, OWNER, { keyId: key.id, confirmName: "Billing sync" });
      expect(await query(t.store, "select * from api_keys")).toHaveLength(0);
      expect(await query(t.store, "select * from grants")).toHaveLength(0);
      expect(await check(secret, "acme", "orders:read")).toEqual({
        valid: false,
        reason: "unknown_key",
      });
      const [last] = await query<{ action: string; diff: string }>(
        t.store,
        "select action, diff from audit_events order by id desc limit 1",
      );
      expect(last?.action).toBe("key.deleted");
      expect(JSON.parse(last?.diff ?? "{}").before.grants).toEqual([
        { scope: "acme", api: "orders:read" },
      ]);
      expect((await refusal(getKey(t.ctx, key.id))).code).toBe("not_found");
    });
  });

  describe("nicknames", () => {
    it("validates and refuses duplicates", async () => {
      expect(
        (await refusal(addNickname(t.ctx, OWNER, { nickname: "bad name!", kind: "seller" }))).field,
      ).toBe("nickname");
      expect(
        (await refusal(addNickname(t.ctx, OWNER, { nickname: "x".repeat(33), kind: "seller" })))
          .field,
      ).toBe("nickname");
      expect(
        (await refusal(addNickname(t.ctx, OWNER, { nickname: "ok", kind: "vendor" }))).field,
      ).toBe("kind");
      expect(
        (await refusal(addNickname(t.ctx, OWNER, { nickname: "ACME", kind: "seller" }))).code,
      ).toBe("conflict");
      expect(
        (await refusal(addNickname(t.ctx, MEMBER, { nickname: "m", kind: "seller" }))).code,
      ).toBe("forbidden");
    });

    it("removing one takes its grants, recorded per key and told to the key owner", async () => {
      const { key, secret } = await create("k", [
        { scope: "acme", api: "orders:read" },
        { scope: "globex", api: "analytics" },
      ]);
      const r = await removeNickname(t.ctx, OWNER, { nickname: "acme" });
      expect(r.keysAffected).toBe(1);
      expect((await getKey(t.ctx, key.id)).grants.map((g) => g.scope)).toEqual(["globex"]);
      expect(await check(secret, "acme", "orders:read")).toMatchObject({ allowed: false });
      expect((await auditActions(t.store)).slice(-2)).toEqual([
        "key.permissions_changed",
        "nickname.removed",
      ]);
      expect(
        (await outboxNotices(t.store)).some(
          (n) => n.recipient === MEMBER && n.notice.title === "API key lost permissions",
        ),
      ).toBe(true);
    });
  });

  describe("listing", () => {
    it("pages and filters by name or public id, counting nicknames reached", async () => {
      for (let i = 0; i < 12; i++)
        await create(`key ${String(i).padStart(2, "0")}`, [{ scope: "*", api: "analytics" }]);
      const page = await listKeys(t.ctx, { offset: 10, limit: 10 });
      expect(page.total).toBe(12);
      expect(page.items.map((i) => i.key.name)).toEqual(["key 10", "key 11"]);
      expect(page.items[0]?.nicknamesReached).toBe(3);
      const one = page.items[0]?.key.publicId ?? "";
      expect((await listKeys(t.ctx, { text: one, offset: 0, limit: 10 })).total).toBe(1);
      expect((await listKeys(t.ctx, { text: "KEY 0", offset: 0, limit: 10 })).total).toBe(10);
      expect((await listKeys(t.ctx, { text: "%", offset: 0, limit: 10 })).total).toBe(0);
    });

    it("filters by owner, expiry, status, nickname reached and API, together with text", async () => {
      const soon = new Date(t.clock.now().getTime() + 3 * DAY);
      const later = new Date(t.clock.now().getTime() + 20 * DAY);
      await createKey(t.ctx, OWNER, {
        name: "Alpha sync",
        keyOwner: MEMBER,
        cells: [{ scope: "acme", api: "orders:write" }],
        expiresAt: soon,
      });
      await createKey(t.ctx, OWNER, {
        name: "Beta sync",
        keyOwner: OWNER2,
        cells: [{ scope: "*", api: "analytics" }],
        expiresAt: later,
      });
      const gamma = await createKey(t.ctx, OWNER, {
        name: "Gamma",
        keyOwner: MEMBER,
        cells: [{ scope: "globex", api: "products" }],
        expiresAt: null,
      });
      await disableKey(t.ctx, OWNER, { keyId: gamma.key.id, reason: "paused" });
      const names = async (filter: Parameters<typeof listKeys>[1]["filter"], userId = MEMBER) =>
        (await listKeys(t.ctx, { filter, userId, offset: 0, limit: 10 })).items.map(
          (i) => i.key.name,
        );
      expect(await names({ mine: true })).toEqual(["Alpha sync", "Gamma"]);
      expect(await names({ mine: true }, OWNER2)).toEqual(["Beta sync"]);
      expect(await names({ expiring: true })).toEqual(["Alpha sync"]);
      expect(await names({ disabled: true })).toEqual(["Gamma"]);
      expect(await names({ nickname: "acme_aff" })).toEqual(["Beta sync"]);
      expect(await names({ nickname: "acme" })).toEqual(["Alpha sync", "Beta sync"]);
      expect(await names({ api: "orders:read" })).toEqual(["Alpha sync"]);
      expect(await names({ mine: true, text: "SYNC" })).toEqual(["Alpha sync"]);
      expect(await names({ api: "analytics", text: "alpha" })).toEqual([]);
      const page = await listKeys(t.ctx, {
        filter: { text: "a" },
        userId: MEMBER,
        offset: 1,
        limit: 1,
      });
      expect(page.total).toBe(3);
      expect((await refusal(names({ nickname: "nobody" }))).message).toContain(
        "No nickname `nobody` is linked",
      );
    });
  });
});
