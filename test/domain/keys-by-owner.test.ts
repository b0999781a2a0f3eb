// The scan's per-owner index crosses from the key-scan process as plain data with no object per
// owner or key, and the digest lists the keys of owners who left from it, as they are now.
import { deserialize, serialize } from "node:v8";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKey } from "../../src/domain/keys/create.ts";
import { deleteKey } from "../../src/domain/keys/delete.ts";
import { editKey } from "../../src/domain/keys/edit.ts";
import { buildDigest } from "../../src/domain/oncall/digest.ts";
import { scanKeys } from "../../src/domain/oncall/key-scan.ts";
import { KeysByOwnerBuilder, ownersOf } from "../../src/domain/oncall/keys-by-owner.ts";
import { DAY } from "../helpers/clock.ts";
import { MEMBER, OWNER, type TestStore, testStore } from "../helpers/store.ts";
import { loopTurns } from "../helpers/wait.ts";

describe("KeysByOwner", () => {
  it("keeps per owner the first ids in the order read, counting all, owners in first-seen order", () => {
    const b = new KeysByOwnerBuilder(2);
    for (const [owner, id] of [
      ["U0B", 3],
      ["U0A", 4],
      ["U0B", 5],
      ["U0B", 9],
      ["U0A", 12],
    ] as const)
      b.add(owner, id);
    expect([...ownersOf(b.build())]).toEqual([
      { owner: "U0B", count: 3, ids: [3, 5] },
      { owner: "U0A", count: 2, ids: [4, 12] },
    ]);
    expect([...ownersOf(new KeysByOwnerBuilder(8).build())]).toEqual([]);
  });

  it("crosses a structured clone as it is, in a few bytes per owner", () => {
    const b = new KeysByOwnerBuilder(8);
    for (let i = 1; i <= 3000; i++) b.add(`U${String(i % 1000).padStart(8, "0")}`, i);
    const built = b.build();
    const bytes = serialize(built);
    const back = deserialize(bytes);
    expect([...ownersOf(back)]).toEqual([...ownersOf(built)]);
    // A string, two typed arrays: nothing the reader has to build an object for per owner.
    expect(typeof back.owners).toBe("string");
    expect(back.counts).toBeInstanceOf(Uint32Array);
    expect(back.ids).toBeInstanceOf(Float64Array);
    // 1,000 owners: ids (8 × 8 bytes), a count and a name each. A shortlist of whole keys per
    // owner, as before, was about 2 KB each.
    expect(bytes.length).toBeLessThan(1000 * (64 + 4 + 10) + 200);
  });
});

describe("the digest's keys whose owner left", () => {
  const LEFT = "U0LEFT0001";
  const people = { inWorkspace: async (u: string) => u !== LEFT };
  let t: TestStore;
  beforeEach(async () => {
    t = await testStore("sqlite");
  });
  afterEach(() => t.cleanup());

  it("are read as they are when the digest is built: one handed on since the scan is not listed", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) {
      const { key } = await createKey(t.ctx, OWNER, {
        name: `Key ${i}`,
        keyOwner: i % 2 ? LEFT : MEMBER,
        cells: [],
        expiresAt: null,
      });
      ids.push(key.id);
    }
    t.clock.advance(DAY);
    const scan = await scanKeys(t.ctx, t.clock.now());
    // Handed to someone still here after the scan, before the digest is built.
    await editKey(t.ctx, OWNER, { keyId: ids[1] as number, keyOwner: MEMBER });
    const digest = await buildDigest({ ...t.ctx, keyScanner: async () => scan }, people);
    const orphaned = digest.sections.find((s) => s.title.startsWith("Key owner no longer"));
    // The keys shown are the scan's ids, read now; the one handed on is not counted either.
    expect(orphaned?.title).toBe("Key owner no longer in the workspace (5)");
    expect(orphaned?.items.map((i) => i.text.match(/Key \d+/)?.[0])).toEqual([
      "Key 3",
      "Key 5",
      "Key 7",
      "Key 9",
      "Key 11",
    ]);
  });

  it("says how many it shows when keys shown were deleted since the scan", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) {
      const { key } = await createKey(t.ctx, OWNER, {
        name: `Key ${i}`,
        keyOwner: LEFT,
        cells: [],
        expiresAt: null,
      });
      ids.push(key.id);
    }
    const scan = await scanKeys(t.ctx, t.clock.now());
    for (const i of [0, 1])
      await deleteKey(t.ctx, OWNER, { keyId: ids[i] as number, confirmName: `Key ${i}` });
    const digest = await buildDigest({ ...t.ctx, keyScanner: async () => scan }, people);
    const orphaned = digest.sections.find((s) => s.title.startsWith("Key owner no longer"));
    expect(orphaned?.title).toBe("Key owner no longer in the workspace (8) — the first 6");
    expect(orphaned?.items.map((i) => i.text.match(/Key \d+/)?.[0])).toEqual(
      [2, 3, 4, 5, 6, 7].map((n) => `Key ${n}`),
    );
  });

  it("asks about a few thousand owners in turns of the event loop, not in one block", async () => {
    // Answers that come back at once (as Slack's remembered ones do) still give way every 100.
    const b = new KeysByOwnerBuilder(8);
    for (let i = 1; i <= 250; i++) b.add(`U0OWNER${i}`, i);
    const scan = { ...(await scanKeys(t.ctx, t.clock.now())), byOwner: b.build() };
    const turns = loopTurns();
    const askedInTurn: number[] = [];
    const digest = await buildDigest(
      { ...t.ctx, keyScanner: async () => scan },
      {
        inWorkspace: async () => {
          askedInTurn.push(turns.now());
          return true;
        },
      },
    );
    turns.stop();
    expect(askedInTurn).toHaveLength(250);
    const perTurn = new Map<number, number>();
    for (const turn of askedInTurn) perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(100);
    expect(perTurn.size).toBeGreaterThanOrEqual(3);
    expect(digest.sections.find((s) => s.title.startsWith("Key owner no longer"))?.title).toBe(
      "Key owner no longer in the workspace (0)",
    );
  });
});
