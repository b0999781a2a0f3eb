// The digest reads keys in bounded pages, one short transaction each, with the event loop
// given a turn between pages, and builds exactly what one read of everything would.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Ctx } from "../../src/domain/context.ts";
import { createKey } from "../../src/domain/keys/create.ts";
import { addNickname } from "../../src/domain/nicknames/add.ts";
import { buildDigest } from "../../src/domain/oncall/digest.ts";
import type { SqliteStore } from "../../src/store/index.ts";
import type { StoreTx } from "../../src/store/types.ts";
import { DAY } from "../helpers/clock.ts";
import { BACKENDS, MEMBER, OWNER, type TestStore, testStore } from "../helpers/store.ts";
import { watchWriter } from "../helpers/writer-watch.ts";

/** A second key owner who left the workspace. */
const LEFT = "U0LEFT0001";

describe.each(BACKENDS)("the digest's key reads on %s", (backend) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await testStore(backend);
    await addNickname(t.ctx, OWNER, { nickname: "acme", kind: "seller" });
    for (let i = 0; i < 25; i++) {
      await createKey(t.ctx, OWNER, {
        name: `Key ${i}`,
        keyOwner: i % 3 === 0 ? MEMBER : i % 3 === 1 ? OWNER : LEFT,
        cells: [{ scope: i % 2 ? "acme" : "*", api: i % 4 ? "analytics" : "orders:write" }],
        expiresAt: i % 5 === 0 ? new Date(t.clock.now().getTime() + 3 * DAY) : null,
      });
    }
    t.clock.advance(100 * DAY);
  });
  afterEach(() => t.cleanup());

  it("reads pages of at most the page size, never everything at once, yielding between them", async () => {
    const reads: Array<{ after: number; limit: number; turnSince: boolean }> = [];
    const calls: string[] = [];
    let turned = true;
    const spy = (tx: StoreTx): StoreTx => ({
      ...tx,
      keys: {
        ...tx.keys,
        all: async () => {
          calls.push("all");
          return tx.keys.all();
        },
        page: async (after, limit) => {
          reads.push({ after, limit, turnSince: turned });
          turned = false;
          setImmediate(() => {
            turned = true;
          });
          return tx.keys.page(after, limit);
        },
      },
    });
    const ctx: Ctx = {
      clock: t.clock,
      uow: {
        run: <R>(work: (tx: StoreTx) => Promise<R>) => t.store.uow.run((tx) => work(spy(tx))),
      },
    };
    const people = { inWorkspace: async (u: string) => u !== MEMBER && u !== LEFT };
    const paged = await buildDigest(ctx, people, { pageSize: 10 });

    expect(calls).toEqual([]);
    expect(reads.map((r) => r.limit)).toEqual([10, 10, 10]);
    const ids = (await t.store.uow.run((tx) => tx.keys.all())).map((k) => k.id);
    expect(reads.map((r) => r.after)).toEqual([0, ids[9], ids[19]]);
    // Between two pages other work got a turn of the event loop.
    expect(reads.every((r) => r.turnSince)).toBe(true);

    // Identical to one big page.
    const whole = await buildDigest(t.ctx, people, { pageSize: 1000 });
    expect(paged).toEqual(whole);
    expect(paged.sections.map((s) => s.title)).toContain("Unused for 90 days (25) — the first 8");

    // Only the first 8 of each section are kept while reading; the counts are of all. The keys
    // of two owners who left come together in key order.
    const orphaned = paged.sections.find((s) => s.title.startsWith("Key owner no longer"));
    expect(orphaned?.title).toBe("Key owner no longer in the workspace (17) — the first 8");
    expect(orphaned?.items.map((i) => /Key \d+/.exec(i.text)?.[0])).toEqual(
      [0, 2, 3, 5, 6, 8, 9, 11].map((i) => `Key ${i}`),
    );
  });

  it.runIf(backend === "sqlite")(
    "prepares its per-page statements once, however many pages it reads",
    async () => {
      const people = { inWorkspace: async () => true };
      await buildDigest(t.ctx, people, { pageSize: 100 });
      const w = watchWriter(t.store as SqliteStore);
      try {
        await buildDigest(t.ctx, people, { pageSize: 100 });
        const onePage = w.prepared();
        // Nine pages (the last one empty) instead of one: no more statements prepared.
        await buildDigest(t.ctx, people, { pageSize: 3 });
        expect(w.prepared() - onePage).toBe(onePage);
      } finally {
        w.stop();
      }
    },
  );
});
