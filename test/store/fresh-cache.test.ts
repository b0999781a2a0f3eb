import { describe, expect, it } from "vitest";
import { FreshCache } from "../../src/store/fresh-cache.ts";

describe("the verification cache's storage", () => {
  it("serves an entry for maxAge after it was read, and not after", () => {
    const c = new FreshCache<string, number>(1000, 100);
    c.set("a", 1, 0);
    expect(c.get("a", 1000)).toEqual(expect.objectContaining({ value: 1 }));
    expect(c.get("a", 1001)).toBeUndefined();
  });

  it("keeps a cached 'not found' apart from a miss", () => {
    const c = new FreshCache<string, string | undefined>(1000, 100);
    c.set("unknown", undefined, 0);
    expect(c.get("unknown", 10)).toEqual(expect.objectContaining({ value: undefined }));
    expect(c.get("other", 10)).toBeUndefined();
  });

  it("holds only what was read in the last two periods, without walking the entries", () => {
    const c = new FreshCache<number, number>(1000, 1_000_000);
    for (let i = 0; i < 10_000; i++) c.set(i, i, 0);
    c.set(-1, 0, 1500);
    // The first generation is past its age but not dropped yet.
    expect(c.size).toBe(10_001);
    expect(c.get(5, 1500)).toBeUndefined();
    c.set(-2, 0, 2600);
    expect(c.size).toBe(2);
    expect(c.get(-1, 2400)).toEqual(expect.objectContaining({ value: 0 }));
  });

  it("rotates early past maxEntries, so random ids cannot grow it without bound", () => {
    const c = new FreshCache<number, number>(1000, 100);
    for (let i = 0; i < 1_000; i++) c.set(i, i, 0);
    expect(c.size).toBeLessThanOrEqual(200);
    expect(c.get(999, 0)).toEqual(expect.objectContaining({ value: 999 }));
  });
});
