import { existsSync, readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKey } from "../../src/domain/keys/create.ts";
import { regenerateKey } from "../../src/domain/keys/regenerate.ts";
import { rotateKey } from "../../src/domain/keys/rotate.ts";
import { addNickname } from "../../src/domain/nicknames/add.ts";
import { addRole } from "../../src/domain/roles/add.ts";
import { removeRole } from "../../src/domain/roles/remove.ts";
import { rows } from "../helpers/db-rows.ts";
import { MEMBER, OWNER, OWNER2, type TestStore, testStore } from "../helpers/store.ts";

let t: TestStore;
beforeEach(async () => {
  t = await testStore();
});
afterEach(() => t.cleanup());

describe("the SQLite store", () => {
  it("opens with WAL, foreign keys and a busy timeout", () => {
    const db = t.store.writer.sqlite;
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
  });

  it("refuses UPDATE and DELETE on the audit log", async () => {
    await addNickname(t.ctx, OWNER, { nickname: "acme", kind: "seller" });
    const db = t.store.writer.sqlite;
    expect(() => db.prepare("update audit_events set actor = 'x'").run()).toThrow(/append-only/);
    expect(() => db.prepare("delete from audit_events").run()).toThrow(/append-only/);
    expect(rows(t.store, "select * from audit_events").length).toBeGreaterThan(0);
  });

  it("refuses a second grant of the same cell, All accounts included", async () => {
    const { key } = await createKey(t.ctx, OWNER, {
      name: "k",
      keyOwner: OWNER,
      cells: [{ scope: "*", api: "analytics" }],
      expiresAt: null,
    });
    await expect(
      t.store.uow.run((tx) =>
        tx.grants.add(
          key.id,
          [{ scope: "*", api: "analytics", expiresAt: null, requestId: null }],
          t.clock.now(),
          OWNER,
        ),
      ),
    ).rejects.toThrow(/UNIQUE/);
  });

  it("rolls a failed use case back entirely: no key, no audit event, no notification", async () => {
    const before = {
      audit: rows(t.store, "select * from audit_events").length,
      outbox: rows(t.store, "select * from outbox").length,
    };
    await expect(
      t.store.uow.run(async (tx) => {
        await tx.nicknames.insert({
          nickname: "temp",
          kind: "seller",
          at: t.clock.now(),
          by: OWNER,
        });
        await tx.audit.append({ at: t.clock.now(), actor: OWNER, action: "nickname.added" });
        await tx.outbox.enqueue(
          [{ kind: "dm", recipient: OWNER, notice: { type: "request_card", requestId: 1 } }],
          t.clock.now(),
        );
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(rows(t.store, "select * from nicknames")).toHaveLength(0);
    expect(rows(t.store, "select * from audit_events")).toHaveLength(before.audit);
    expect(rows(t.store, "select * from outbox")).toHaveLength(before.outbox);
  });

  it("serialises concurrent async use cases instead of interleaving them", async () => {
    const order: string[] = [];
    const slow = (name: string) =>
      t.store.uow.run(async (tx) => {
        order.push(`${name} start`);
        await tx.nicknames.list();
        await new Promise((r) => setTimeout(r, 5));
        await tx.nicknames.list();
        order.push(`${name} end`);
      });
    await Promise.all([slow("a"), slow("b"), slow("c")]);
    expect(order).toEqual(["a start", "a end", "b start", "b end", "c start", "c end"]);
  });

  it("keeps going after a failed transaction", async () => {
    await expect(t.store.uow.run(async () => Promise.reject(new Error("x")))).rejects.toThrow();
    expect(await t.store.uow.run(async (tx) => (await tx.roles.owners()).length)).toBe(2);
  });

  it("never holds a secret in the database file", async () => {
    await addNickname(t.ctx, OWNER, { nickname: "acme", kind: "seller" });
    const secrets: string[] = [];
    for (let i = 0; i < 20; i++) {
      const { key, secret } = await createKey(t.ctx, OWNER, {
        name: `k${i}`,
        keyOwner: MEMBER,
        cells: [{ scope: "acme", api: "analytics" }],
        expiresAt: null,
      });
      secrets.push(secret);
      secrets.push((await regenerateKey(t.ctx, OWNER, { keyId: key.id, grace: "1h" })).secret);
      const r = await rotateKey(t.ctx, OWNER, {
        keyId: key.id,
        reason: "test",
        mode: { kind: "rotate", grace: "none" },
      });
      if (r.secret) secrets.push(r.secret);
    }
    t.store.writer.sqlite.pragma("wal_checkpoint(PASSIVE)");
    const files = [t.path, `${t.path}-wal`]
      .filter(existsSync)
      .map((f) => readFileSync(f).toString("latin1"));
    for (const s of secrets) {
      for (const f of files) {
        expect(f.includes(s)).toBe(false);
        // Not even the random tail (the public id is meant to be visible).
        expect(f.includes(s.slice(11))).toBe(false);
      }
    }
  });
});

describe("roles", () => {
  it("protects the last owner", async () => {
    await removeRole(t.ctx, OWNER, { userId: OWNER2 });
    await expect(removeRole(t.ctx, OWNER, { userId: OWNER })).rejects.toThrow(/last account owner/);
    await expect(addRole(t.ctx, OWNER, { userId: OWNER, role: "oncall" })).rejects.toThrow(
      /last account owner/,
    );
    await expect(addRole(t.ctx, MEMBER, { userId: MEMBER, role: "owner" })).rejects.toThrow(
      /Only account owners/,
    );
  });

  it("tells the sole owner about their own changes", async () => {
    await removeRole(t.ctx, OWNER, { userId: OWNER2 });
    await addNickname(t.ctx, OWNER, { nickname: "solo", kind: "seller" });
    const last = rows<{ recipient: string }>(
      t.store,
      "select recipient from outbox order by id desc limit 1",
    );
    expect(last[0]?.recipient).toBe(OWNER);
  });
});

describe("grants of many keys", () => {
  it("are read for more keys than SQLite takes parameters in one statement (the digest at 100,000 keys)", async () => {
    await addNickname(t.ctx, OWNER, { nickname: "acme", kind: "seller" });
    const { key } = await createKey(t.ctx, OWNER, {
      name: "k",
      keyOwner: OWNER,
      cells: [{ scope: "acme", api: "analytics" }],
      expiresAt: null,
    });
    const ids = [...Array.from({ length: 40_000 }, (_, i) => key.id + 1 + i), key.id];
    const grants = await t.store.uow.run((tx) => tx.grants.forKeys(ids));
    expect(grants.get(key.id)).toEqual([
      expect.objectContaining({ scope: "acme", api: "analytics" }),
    ]);
    expect(grants.size).toBe(1);
  });
});
