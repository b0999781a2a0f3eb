// Reading the grants of many keys at once: more ids than a statement takes placeholders
// (SQLite 32,766, PostgreSQL 65,535) still answers, on both backends.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKey } from "../../src/domain/keys/create.ts";
import { addNickname } from "../../src/domain/nicknames/add.ts";
import { BACKENDS, OWNER, type TestStore, testStore } from "../helpers/store.ts";

describe.each(BACKENDS)("grants of 70,000 key ids on %s", (backend) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await testStore(backend);
  });
  afterEach(() => t.cleanup());

  it("answers one query's worth of keys among ids that do not exist", async () => {
    await addNickname(t.ctx, OWNER, { nickname: "acme", kind: "seller" });
    const { key } = await createKey(t.ctx, OWNER, {
      name: "Billing sync",
      keyOwner: OWNER,
      cells: [{ scope: "acme", api: "analytics" }],
      expiresAt: null,
    });
    const ids = Array.from({ length: 70_000 }, (_, i) => key.id + 1 + i);
    ids.splice(40_000, 0, key.id);
    const got = await t.store.uow.run((tx) => tx.grants.forKeys(ids));
    expect([...got.keys()]).toEqual([key.id]);
    expect(got.get(key.id)?.map((g) => [g.scope, g.api])).toEqual([["acme", "analytics"]]);
  });
});
