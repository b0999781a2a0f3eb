import { describe, expect, it } from "vitest";
import { Shortlist } from "../../src/domain/shortlist.ts";

describe("Shortlist", () => {
  it("keeps the first few in order and counts all", () => {
    const l = new Shortlist<number>(3);
    for (const n of [5, 1, 4, 2, 8]) l.add(n);
    expect(l.first).toEqual([5, 1, 4]);
    expect(l.count).toBe(5);
  });
});
