// The digest asks PostgreSQL for the keys of the owners who left: how many, and the first few by
// id. Ordered by id, the planner may walk the primary key and filter every key instead of using
// the owner index; it did at 100,000 keys when those owners held the newest keys, or none.
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PgStore } from "../../src/store/pg/index.ts";
import { hasPostgres } from "../helpers/pg.ts";
import { type TestStore, testStore } from "../helpers/store.ts";

describe.runIf(hasPostgres())("the keys of some owners on PostgreSQL", () => {
  let t: TestStore;
  let store: PgStore;
  beforeEach(async () => {
    t = await testStore("postgres");
    store = t.store as PgStore;
    // 100,000 keys; the 50 owners asked about hold the newest 2,500.
    await store.pool.query(`insert into api_keys (public_id, name, key_owner, status, secret_hash,
        created_at, created_by, updated_at, updated_by)
      select 'p' || g, 'k' || g, case when g <= 97500 then 'U0HERE' || (g % 1950)
        else 'U0GONE' || (g % 50) end, 'active', 'h' || g, now(), 'U0', now(), 'U0'
      from generate_series(1, 100000) g`);
    await store.pool.query("analyze api_keys");
  }, 60_000);
  afterEach(() => t.cleanup());

  /** Every statement the call sends that names key_owner, with its parameters. */
  async function sent(
    call: () => Promise<unknown>,
  ): Promise<Array<{ text: string; values: unknown[] }>> {
    const seen: Array<{ text: string; values: unknown[] }> = [];
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const q = args[0] as { text?: string; values?: unknown[] } | string;
      const text = typeof q === "string" ? q : q?.text;
      if (text && /key_owner/.test(text))
        seen.push({
          text,
          values: (Array.isArray(args[1]) ? args[1] : (q as { values?: unknown[] }).values) ?? [],
        });
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    try {
      await call();
    } finally {
      pg.Client.prototype.query = query;
    }
    return seen;
  }

  it.each([
    ["who hold the newest keys", (i: number) => `U0GONE${i}`, 2500],
    ["who hold no keys", (i: number) => `U0NONE${i}`, 0],
  ])("are read through the owner index for owners %s", async (_what, owner, expected) => {
    const owners = Array.from({ length: 50 }, (_, i) => owner(i));
    let found: { count: number; first: Array<{ id: number }> } | undefined;
    const statements = await sent(async () => {
      found = await t.store.uow.run((tx) => tx.keys.ofOwners(owners, 8));
    });
    expect(found?.count).toBe(expected);
    expect(found?.first.map((k) => k.id)).toEqual(
      expected ? Array.from({ length: 8 }, (_, i) => 97501 + i) : [],
    );
    // The owners travel as one array parameter, whatever their number (and the limit).
    expect(statements.map((s) => s.values.length)).toEqual([2, 1]);
    for (const { text, values } of statements) {
      const { rows } = await store.pool.query(`explain ${text}`, values);
      const plan = rows.map((r: Record<string, string>) => r["QUERY PLAN"]).join("\n");
      expect(plan).toMatch(/api_keys_owner/);
      // Not every key read and filtered (by the primary key's order, or from end to end).
      expect(plan).not.toMatch(/Seq Scan on api_keys|Filter: .*key_owner/);
    }
  });
});
