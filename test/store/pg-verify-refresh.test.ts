// The PostgreSQL lookup's safety net re-reads cached keys, spread over the last quarter of
// their maximum age: keys cached together must not all be read again in the same instant.
import type pg from "pg";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createKey } from "../../src/domain/keys/create.ts";
import { hashSecret, publicIdOf } from "../../src/domain/secrets.ts";
import type { PgStore } from "../../src/store/pg/index.ts";
import { PgVerifyLookup } from "../../src/store/pg/verify-lookup.ts";
import { hasPostgres } from "../helpers/pg.ts";
import { MEMBER, OWNER, type TestStore, testStore } from "../helpers/store.ts";

const MAX_AGE = 60_000;
const KEYS = 40;

describe.runIf(hasPostgres())("PostgreSQL verify lookup: background re-reads", () => {
  let t: TestStore;
  let secrets: string[];
  beforeEach(async () => {
    t = await testStore("postgres");
    secrets = [];
    for (let i = 0; i < KEYS; i++) {
      const r = await createKey(t.ctx, OWNER, {
        name: `Key ${i}`,
        keyOwner: MEMBER,
        cells: [{ scope: "*", api: "analytics" }],
        expiresAt: null,
      });
      secrets.push(r.secret);
    }
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await t.cleanup();
  });

  it("reads each key again once between 3/4 of the maximum age and all of it, not all at once", async () => {
    let now = 1_000;
    vi.spyOn(performance, "now").mockImplementation(() => now);
    // The real pool, counting the key reads it is asked for.
    const pool = (t.store as PgStore).pool;
    let keyReads = 0;
    const counting = {
      query: (...args: Parameters<pg.Pool["query"]>) => {
        const q = args[0] as { text?: string } | string;
        if (typeof q === "object" && q.text?.includes("from api_keys")) keyReads++;
        return (pool.query as (...a: unknown[]) => Promise<unknown>)(...args);
      },
    } as unknown as pg.Pool;
    const lookup = new PgVerifyLookup(counting, { maxAgeMs: MAX_AGE });
    lookup.setTrusted(true);
    const ask = () =>
      Promise.all(secrets.map((s) => lookup.bySecretHash(hashSecret(s), publicIdOf(s), undefined)));
    const settle = () => new Promise((r) => setTimeout(r, 50));

    expect((await ask()).every((m) => m?.key !== undefined)).toBe(true);
    expect(keyReads).toBe(KEYS);

    // Before 3/4 of the age: answered from memory, nothing read.
    now += MAX_AGE * 0.74;
    await ask();
    await settle();
    expect(keyReads).toBe(KEYS);

    // Half way through the last quarter: some read again, not all (40 keys on one side of the
    // middle by chance: 2 in 10^12).
    now += MAX_AGE * (0.875 - 0.74);
    await ask();
    await settle();
    const halfway = keyReads - KEYS;
    expect(halfway).toBeGreaterThan(0);
    expect(halfway).toBeLessThan(KEYS);

    // Past the age: every key not read again yet is read now; each once in all.
    now += MAX_AGE * 0.13;
    const answers = await ask();
    await settle();
    expect(keyReads).toBe(2 * KEYS);
    expect(answers.every((m) => m?.key !== undefined)).toBe(true);
  });
});
