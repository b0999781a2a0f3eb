// The scan's list of key owners crosses from the key-scan process as one string, and the digest
// reads the keys of the owners who left as they are when it is built, not as the scan saw them.
import { deserialize, serialize } from "node:v8";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKey } from "../../src/domain/keys/create.ts";
import { deleteKey } from "../../src/domain/keys/delete.ts";
import { editKey } from "../../src/domain/keys/edit.ts";
import { buildDigest } from "../../src/domain/oncall/digest.ts";
import { KeyOwnersBuilder, ownersIn } from "../../src/domain/oncall/key-owners.ts";
import { scanKeys } from "../../src/domain/oncall/key-scan.ts";
import type { UnitOfWork } from "../../src/domain/ports.ts";
import { DAY } from "../helpers/clock.ts";
import { BACKENDS, MEMBER, OWNER, type TestStore, testStore } from "../helpers/store.ts";
import { loopTurns } from "../helpers/wait.ts";

describe("KeyOwners", () => {
  it("holds each owner once, in first-seen order", () => {
    const b = new KeyOwnersBuilder();
    for (const owner of ["U0B", "U0A", "U0B", "U0B", "U0A", "U0C"]) b.add(owner);
    expect([...ownersIn(b.build())]).toEqual(["U0B", "U0A", "U0C"]);
    expect([...ownersIn(new KeyOwnersBuilder().build())]).toEqual([]);
  });

  it("crosses a structured clone as one string, a few bytes per owner", () => {
    const b = new KeyOwnersBuilder();
    for (let i = 1; i <= 3000; i++) b.add(`U${String(i % 1000).padStart(8, "0")}`);
    const built = b.build();
    const bytes = serialize(built);
    const back = deserialize(bytes);
    // One string: nothing the reader has to build an object for per owner.
    expect(typeof back).toBe("string");
    expect([...ownersIn(back)]).toEqual([...ownersIn(built)]);
    expect([...ownersIn(back)]).toHaveLength(1000);
    // 1,000 owners of 9 characters and a newline each. A shortlist of whole keys per owner, as
    // before, was about 2 KB each.
    expect(bytes.length).toBeLessThan(1000 * 10 + 20);
  });
});

describe.each(BACKENDS)("the digest's keys whose owner left, on %s", (backend) => {
  const LEFT = "U0LEFT0001";
  const people = { inWorkspace: async (u: string) => u !== LEFT };
  let t: TestStore;
  beforeEach(async () => {
    t = await testStore(backend);
  });
  const orphanedOf = (d: { sections: Array<{ title: string; items: Array<{ text: string }> }> }) =>
    d.sections.find((s) => s.title.startsWith("Key owner no longer"));
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
    const orphaned = orphanedOf(
      await buildDigest({ ...t.ctx, keyScanner: async () => scan }, people),
    );
    // The keys are read now: the one handed on is neither shown nor counted.
    expect(orphaned?.title).toBe("Key owner no longer in the workspace (5)");
    expect(orphaned?.items.map((i) => i.text.match(/Key \d+/)?.[0])).toEqual([
      "Key 3",
      "Key 5",
      "Key 7",
      "Key 9",
      "Key 11",
    ]);
  });

  it("is full and counted as now when keys were deleted, or handed to one who left, since the scan", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 11; i++) {
      const { key } = await createKey(t.ctx, OWNER, {
        name: `Key ${i}`,
        keyOwner: i < 10 ? LEFT : MEMBER,
        cells: [],
        expiresAt: null,
      });
      ids.push(key.id);
    }
    const scan = await scanKeys(t.ctx, t.clock.now());
    for (const i of [0, 1])
      await deleteKey(t.ctx, OWNER, { keyId: ids[i] as number, confirmName: `Key ${i}` });
    await editKey(t.ctx, OWNER, { keyId: ids[10] as number, keyOwner: LEFT });
    const orphaned = orphanedOf(
      await buildDigest({ ...t.ctx, keyScanner: async () => scan }, people),
    );
    expect(orphaned?.title).toBe("Key owner no longer in the workspace (9) — the first 8");
    expect(orphaned?.items.map((i) => i.text.match(/Key \d+/)?.[0])).toEqual(
      [2, 3, 4, 5, 6, 7, 8, 9].map((n) => `Key ${n}`),
    );
  });

  it("counts and lists the keys of more owners who left than one read takes, first by id", async () => {
    // 250 owners gone, read 50 at a time, each read in a turn of the loop of its own: the keys
    // of the last-seen owner come first by id.
    const gone = Array.from({ length: 250 }, (_, i) => `U0GONE${String(i).padStart(4, "0")}`);
    for (const [n, owner] of [
      [3, gone[249]],
      [2, gone[0]],
      [4, gone[120]],
    ] as const) {
      for (let i = 0; i < n; i++)
        await createKey(t.ctx, OWNER, {
          name: `${owner} ${i}`,
          keyOwner: owner as string,
          cells: [],
          expiresAt: null,
        });
    }
    const owners = new KeyOwnersBuilder();
    for (const owner of [MEMBER, ...gone]) owners.add(owner);
    const scan = { ...(await scanKeys(t.ctx, t.clock.now())), keyOwners: owners.build() };
    const turns = loopTurns();
    const readInTurn: number[] = [];
    const uow: UnitOfWork = {
      run: (work) =>
        t.ctx.uow.run((tx) => {
          const ofOwners: typeof tx.keys.ofOwners = (owners, limit) => {
            readInTurn.push(turns.now());
            return tx.keys.ofOwners(owners, limit);
          };
          return work({ ...tx, keys: { ...tx.keys, ofOwners } });
        }),
    };
    const orphaned = orphanedOf(
      await buildDigest(
        { ...t.ctx, uow, keyScanner: async () => scan },
        { inWorkspace: async (u) => !u.startsWith("U0GONE") },
      ),
    );
    turns.stop();
    expect(readInTurn).toHaveLength(5);
    expect(new Set(readInTurn).size).toBe(5);
    expect(orphaned?.title).toBe("Key owner no longer in the workspace (9) — the first 8");
    expect(orphaned?.items.map((i) => i.text.match(/U0GONE\d+ \d/)?.[0])).toEqual([
      "U0GONE0249 0",
      "U0GONE0249 1",
      "U0GONE0249 2",
      "U0GONE0000 0",
      "U0GONE0000 1",
      "U0GONE0120 0",
      "U0GONE0120 1",
      "U0GONE0120 2",
    ]);
  });

  it("asks about a few thousand owners in turns of the event loop, not in one block", async () => {
    // Answers that come back at once (as Slack's remembered ones do) still give way every 100.
    const b = new KeyOwnersBuilder();
    for (let i = 1; i <= 250; i++) b.add(`U0OWNER${i}`);
    const scan = { ...(await scanKeys(t.ctx, t.clock.now())), keyOwners: b.build() };
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
