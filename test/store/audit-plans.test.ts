// The audit log's searches are answered through indexes, not by reading the whole log: the
// statements the SQLite repository runs, as SQLite plans them.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditQuery } from "../../src/domain/ports.ts";
import type { SqliteStore } from "../../src/store/index.ts";
import { statementPlans } from "../helpers/plans.ts";
import { type TestStore, testStore } from "../helpers/store.ts";

describe("audit searches on SQLite", () => {
  let t: TestStore;
  let store: SqliteStore;
  beforeEach(async () => {
    t = await testStore("sqlite");
    store = t.store as SqliteStore;
  });
  afterEach(() => t.cleanup());

  /** The plan of every statement on the audit log one repository call prepares. */
  const plans = async (call: () => Promise<unknown>): Promise<string[]> =>
    (await statementPlans(store.writer.sqlite, call))
      .filter((p) => /audit_events/.test(p.sql))
      .map((p) => p.plan);

  const search = (q: AuditQuery) =>
    plans(() => store.uow.run((tx) => tx.audit.search(q, 20), { quiet: true }));

  it.each<[string, AuditQuery, RegExp]>([
    ["actor", { actor: "U0OWNER1" }, /USING INDEX audit_events_actor/],
    [
      "action family",
      { actions: ["key.created", "key.deleted"] },
      /USING INDEX audit_events_action/,
    ],
    ["time", { since: new Date(0), until: new Date(1) }, /USING INDEX audit_events_at/],
    ["key", { key: { ids: [3], ref: "Billing" } }, /audit_events_key\b.*audit_events_key_name/s],
    ["public id", { key: { ids: [], ref: "AbCd1234" } }, /audit_events_key_public_id/],
  ])("by %s", async (_what, q, index) => {
    const [plan] = await search(q);
    expect(plan).toMatch(index);
    expect(plan).not.toMatch(/SCAN audit_events(?! USING)/);
  });

  it("for the audit API: by id, and never a sort of the whole log", async () => {
    const [page] = await plans(() =>
      store.uow.run((tx) => tx.audit.after({ afterId: 5, throughId: 900, limit: 200 })),
    );
    expect(page).toMatch(/SEARCH audit_events USING INTEGER PRIMARY KEY/);
    expect(page).not.toMatch(/TEMP B-TREE/);
    const [nth] = await plans(() => store.uow.run((tx) => tx.audit.nthIdAfter(5, 1000)));
    expect(nth).toMatch(/USING INTEGER PRIMARY KEY/);
  });
});
