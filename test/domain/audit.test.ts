// Audit search and export on both stores: every filter, the cursor, who may read, and the
// export's one transaction (its own audit event and the notice that becomes the file).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AUDIT_EXPORT_MAX, exportAudit, exportFile } from "../../src/domain/audit/export.ts";
import type { AuditFilter } from "../../src/domain/audit/filter.ts";
import { searchAudit } from "../../src/domain/audit/search.ts";
import { DomainError } from "../../src/domain/errors.ts";
import { createKey } from "../../src/domain/keys/create.ts";
import { deleteKey } from "../../src/domain/keys/delete.ts";
import { disableKey } from "../../src/domain/keys/disable.ts";
import { editKey } from "../../src/domain/keys/edit.ts";
import { addNickname } from "../../src/domain/nicknames/add.ts";
import type { AuditExportNotice } from "../../src/domain/notices.ts";
import { createRequest } from "../../src/domain/requests/create.ts";
import { addRole } from "../../src/domain/roles/add.ts";
import { removeRole } from "../../src/domain/roles/remove.ts";
import type { AuditEvent } from "../../src/domain/types.ts";
import { DAY, HOUR } from "../helpers/clock.ts";
import { auditActions, outboxNotices } from "../helpers/db-rows.ts";
import {
  BACKENDS,
  MEMBER,
  ONCALL,
  OWNER,
  OWNER2,
  type TestStore,
  testStore,
} from "../helpers/store.ts";

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
}

describe.each(BACKENDS)("audit search on %s", (backend) => {
  let t: TestStore;
  let billing: { id: number; publicId: string };
  let gone: { id: number; publicId: string };

  beforeEach(async () => {
    t = await testStore(backend);
    await addNickname(t.ctx, OWNER, { nickname: "acme", kind: "seller" });
    await addRole(t.ctx, OWNER, { userId: ONCALL, role: "oncall" });
    t.clock.advance(DAY);
    const cells = [{ scope: "acme", api: "orders:read" }];
    billing = (
      await createKey(t.ctx, OWNER, { name: "Billing", keyOwner: MEMBER, cells, expiresAt: null })
    ).key;
    t.clock.advance(HOUR);
    await editKey(t.ctx, OWNER2, { keyId: billing.id, name: "Billing sync" });
    t.clock.advance(HOUR);
    gone = (
      await createKey(t.ctx, OWNER2, { name: "Old feed", keyOwner: MEMBER, cells, expiresAt: null })
    ).key;
    t.clock.advance(HOUR);
    await disableKey(t.ctx, ONCALL, { keyId: gone.id, reason: "Seen in a public gist" });
    t.clock.advance(DAY);
    await deleteKey(t.ctx, OWNER, { keyId: gone.id, confirmName: "Old feed" });
    t.clock.advance(HOUR);
    // A request for a key that does not exist yet: an event on no key, under that name.
    await createRequest(t.ctx, MEMBER, {
      keyId: null,
      newKeyName: "Reports",
      cells,
      duration: "7d",
      reason: "Monthly reports",
    });
  });
  afterEach(() => t.cleanup());

  const search = (filter: AuditFilter, limit = 100, before?: number) =>
    searchAudit(t.ctx, OWNER, { filter, limit, before });
  const actions = (events: AuditEvent[]) => events.map((e) => e.action);

  it("finds a key's whole history by its name now, across renames, newest first", async () => {
    const page = await search({ key: "billing SYNC" });
    expect(actions(page.events)).toEqual(["key.renamed", "key.created"]);
    expect(page.events.map((e) => e.keyName)).toEqual(["Billing sync", "Billing"]);
    expect(page.key).toEqual({
      keyId: billing.id,
      name: "Billing sync",
      publicId: billing.publicId,
      live: true,
    });
    expect((await search({ key: billing.publicId })).events.length).toBe(2);
  });

  it("finds a deleted key by the name and the public id its events recorded", async () => {
    const byName = await search({ key: "old FEED" });
    expect(actions(byName.events)).toEqual(["key.deleted", "key.disabled", "key.created"]);
    expect(byName.key).toEqual({
      keyId: null,
      name: "Old feed",
      publicId: gone.publicId,
      live: false,
    });
    expect(actions((await search({ key: gone.publicId })).events)).toEqual(actions(byName.events));
  });

  it("finds events on a key that did not exist yet by the name they recorded", async () => {
    const page = await search({ key: "Reports" });
    expect(actions(page.events)).toEqual(["request.created"]);
    expect(page.key?.live).toBe(false);
  });

  it("says so when no key is or was called that", async () => {
    const e = await refusal(search({ key: "Nothing like it" }));
    expect(e.code).toBe("not_found");
    expect(e.message).toContain("Nothing like it");
  });

  it("filters by actor, including Keyward itself", async () => {
    expect(actions((await search({ actor: ONCALL })).events)).toEqual(["key.disabled"]);
    expect(actions((await search({ actor: OWNER2 })).events)).toEqual([
      "key.created",
      "key.renamed",
    ]);
    const system = await search({ actor: "keyward" });
    expect(system.events.length).toBeGreaterThan(0);
    expect(system.events.every((e) => e.actor === "keyward")).toBe(true);
  });

  it("filters by one action or a family", async () => {
    expect(actions((await search({ action: "key.deleted" })).events)).toEqual(["key.deleted"]);
    const keys = actions((await search({ action: "key.*" })).events);
    expect(keys).toEqual([
      "key.deleted",
      "key.disabled",
      "key.created",
      "key.renamed",
      "key.created",
    ]);
    expect(actions((await search({ action: "request.*" })).events)).toEqual(["request.created"]);
    const e = await refusal(search({ action: "key.exploded" }));
    expect(e.code).toBe("invalid");
    expect(e.message).toContain("key.*");
  });

  it("filters by time: since inclusive, until exclusive", async () => {
    const start = new Date(Date.parse("2026-11-27T12:00:00Z"));
    const created = new Date(start.getTime() + DAY);
    const page = await search({
      since: created,
      until: new Date(created.getTime() + 3 * HOUR),
    });
    expect(actions(page.events)).toEqual(["key.created", "key.renamed", "key.created"]);
    expect((await search({ since: new Date(t.clock.now().getTime() + 1) })).events).toEqual([]);
    const e = await refusal(search({ since: created, until: created }));
    expect(e.field).toBe("until");
  });

  it("combines filters", async () => {
    const page = await search({ key: "Old feed", actor: ONCALL, action: "key.*" });
    expect(page.events.map((e) => [e.action, e.reason])).toEqual([
      ["key.disabled", "Seen in a public gist"],
    ]);
  });

  it("pages by a cursor that events recorded meanwhile do not shift", async () => {
    const all = (await search({})).events.map((e) => e.id);
    expect(all.length).toBeGreaterThan(6);
    expect([...all].sort((a, b) => b - a)).toEqual(all);
    const first = await search({}, 3);
    expect(first.events.map((e) => e.id)).toEqual(all.slice(0, 3));
    // Something happens between two pages: the next page goes on where the first stopped.
    await addNickname(t.ctx, OWNER, { nickname: "globex", kind: "both" });
    const seen = [...first.events.map((e) => e.id)];
    let cursor = first.nextBefore;
    while (cursor !== null) {
      const page = await search({}, 3, cursor);
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextBefore;
    }
    expect(seen).toEqual(all);
  });

  it("is for owners and on-call only", async () => {
    const e = await refusal(searchAudit(t.ctx, MEMBER, { filter: {}, limit: 10 }));
    expect(e.code).toBe("forbidden");
    expect(e.message).toContain(
      "Only account owners and on-call engineers can read the audit log.",
    );
    expect((await searchAudit(t.ctx, ONCALL, { filter: {}, limit: 10 })).events.length).toBe(10);
  });

  it("refuses a page size or cursor it cannot use", async () => {
    expect((await refusal(search({}, 0))).code).toBe("invalid");
    expect((await refusal(search({}, 101))).code).toBe("invalid");
    expect((await refusal(search({}, 10, -4))).code).toBe("invalid");
  });

  describe("export", () => {
    it("records the export and enqueues the file's notice in one transaction", async () => {
      const before = await auditActions(t.store);
      const r = await exportAudit(t.ctx, ONCALL, { filter: { key: "Old feed" } });
      expect(r).toMatchObject({ count: 3, truncated: false, key: { name: "Old feed" } });
      expect(r.filename).toMatch(/^keyward-audit-\d{8}-\d{4}\.csv$/);
      expect(await auditActions(t.store)).toEqual([...before, "audit.exported"]);
      const notices = (await outboxNotices(t.store)).filter(
        (n) => n.notice.type === "audit_export",
      );
      expect(notices.length).toBe(1);
      expect(notices[0]).toMatchObject({ kind: "dm", recipient: ONCALL });
      expect(notices[0]?.notice).toMatchObject({ count: 3, truncated: false });

      const file = await exportFile(t.ctx, ONCALL, notices[0]?.notice as never);
      expect(file.count).toBe(3);
      const lines = file.csv.split("\r\n");
      expect(lines[0]).toBe(
        "event_id,time_utc,actor,action,key_name,public_id,request_id,subject,reason,diff",
      );
      // Oldest first.
      expect(lines.slice(1, 4).map((l) => l.split(",")[3])).toEqual([
        "key.created",
        "key.disabled",
        "key.deleted",
      ]);
      expect(lines[4]).toBe("");
    });

    it("writes nothing for someone who may not read the audit log", async () => {
      const before = await auditActions(t.store);
      const notices = (await outboxNotices(t.store)).length;
      expect((await refusal(exportAudit(t.ctx, MEMBER, { filter: {} }))).code).toBe("forbidden");
      expect(await auditActions(t.store)).toEqual(before);
      expect((await outboxNotices(t.store)).length).toBe(notices);
    });

    it("says there is nothing to export when nothing matches", async () => {
      const e = await refusal(exportAudit(t.ctx, OWNER, { filter: { action: "grant.expired" } }));
      expect(e.code).toBe("not_found");
    });

    it("files exactly the events that matched when asked, not what happened since", async () => {
      await exportAudit(t.ctx, OWNER, { filter: { action: "key.*" } });
      const [n] = (await outboxNotices(t.store)).filter((x) => x.notice.type === "audit_export");
      await disableKey(t.ctx, OWNER, { keyId: billing.id });
      const file = await exportFile(t.ctx, OWNER, n?.notice as unknown as AuditExportNotice);
      expect(file.count).toBe(5);
      expect(file.csv).not.toContain("key.disabled,Billing sync");
    });

    it("sends no file to someone who lost the right to read the log after asking", async () => {
      await exportAudit(t.ctx, ONCALL, { filter: {} });
      const [n] = (await outboxNotices(t.store)).filter((x) => x.notice.type === "audit_export");
      await removeRole(t.ctx, OWNER, { userId: ONCALL });
      const e = await refusal(exportFile(t.ctx, ONCALL, n?.notice as never));
      expect(e.code).toBe("forbidden");
    });

    it(`holds at most ${AUDIT_EXPORT_MAX} events: the newest, and says so`, async () => {
      const at = t.clock.now();
      await t.store.uow.run(async (tx) => {
        for (let i = 0; i < AUDIT_EXPORT_MAX + 1; i++) {
          await tx.audit.append({
            at: new Date(at.getTime() + i),
            actor: OWNER,
            action: "nickname.added",
            subject: `n${i}`,
          });
        }
      });
      const r = await exportAudit(t.ctx, OWNER, { filter: { action: "nickname.added" } });
      expect(r.count).toBe(AUDIT_EXPORT_MAX);
      expect(r.truncated).toBe(true);
      // The oldest left out is n0 (and the seed's nickname): the file starts at n1.
      expect(r.oldestAt.getTime()).toBe(at.getTime() + 1);
      const [n] = (await outboxNotices(t.store)).filter((x) => x.notice.type === "audit_export");
      const file = await exportFile(t.ctx, OWNER, n?.notice as never);
      expect(file.count).toBe(AUDIT_EXPORT_MAX);
      const rows = file.csv.split("\r\n");
      expect(rows[1]?.split(",")[7]).toBe("n1");
      expect(rows[AUDIT_EXPORT_MAX]?.split(",")[7]).toBe(`n${AUDIT_EXPORT_MAX}`);
    });
  });
});
