import { describe, expect, it } from "vitest";
import { Shortlist } from "../../src/domain/shortlist.ts";

describe("Shortlist", () => {
  it("keeps the first few in order and counts all", () => {
    const l = new Shortlist<number>(3);
    for (const n of [5, 1, 4, 2, 8]) l.add(n);
    expect(l.first).toEqual([5, 1, 4]);
    expect(l.count).toBe(5);
  });

  it("merges lists: counts summed, the first few of all by the order given", () => {
    const a = new Shortlist<number>(3);
    const b = new Shortlist<number>(3);
    for (const n of [2, 9, 11, 14]) a.add(n);
    for (const n of [1, 3]) b.add(n);
    const m = Shortlist.merge([a, b], 3, (x, y) => x - y);
    expect(m.first).toEqual([1, 2, 3]);
    expect(m.count).toBe(6);
    expect(Shortlist.merge([], 3, (x: number, y: number) => x - y)).toMatchObject({
      count: 0,
      first: [],
    });
  });
});
