// The replay memory shared by several instances on PostgreSQL: a signature accepted by one
// store instance is refused by another, a race between two has one winner, and a database
// that does not answer in time refuses the request (fail closed) instead of waving it through.
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openPgStore, type PgStore } from "../../src/store/pg/index.ts";
import { ReplayCheckUnavailable, SharedSignatureMemory } from "../../src/store/signature-memory.ts";
import { emptyDatabase, fileDatabase, hasPostgres } from "../helpers/pg.ts";
import { TEST_PG } from "../helpers/store.ts";

const NOW = Date.now();
const sig = (i: number) => `v0=${i.toString(16).padStart(64, "0")}`;

describe.skipIf(!hasPostgres())("the shared replay memory (PostgreSQL)", () => {
  let url: string;
  let a: PgStore;
  let b: PgStore;
  beforeEach(async () => {
    url = await fileDatabase();
    await emptyDatabase(url);
    a = await openPgStore(url, TEST_PG);
    b = await openPgStore(url, TEST_PG);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
  });

  it("refuses on one instance a signature another instance accepted", async () => {
    const onA = new SharedSignatureMemory(a.uow);
    const onB = new SharedSignatureMemory(b.uow);
    expect(await onA.claim(sig(1), NOW)).toBe(true);
    expect(await onB.claim(sig(1), NOW)).toBe(false);
    expect(await onA.claim(sig(1), NOW)).toBe(false);
    expect(await onB.claim(sig(2), NOW)).toBe(true);
  });

  it("lets exactly one of two instances racing for the same signatures win each", async () => {
    const onA = new SharedSignatureMemory(a.uow);
    const onB = new SharedSignatureMemory(b.uow);
    const n = 40;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => [onA.claim(sig(i), NOW), onB.claim(sig(i), NOW)]).flat(),
    );
    for (let i = 0; i < n; i++) {
      expect([results[2 * i], results[2 * i + 1]].filter(Boolean), `signature ${i}`).toHaveLength(
        1,
      );
    }
  });

  it("refuses (does not accept unchecked) when the database cannot answer within the wait", async () => {
    // Another session holds an uncommitted claim of the same signature: the insert waits on it.
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await other.query("begin");
      await other.query("insert into seen_signatures (signature, seen_at) values ($1, now())", [
        sig(9),
      ]);
      const memory = new SharedSignatureMemory(a.uow, { waitMs: 100 });
      await expect(memory.claim(sig(9), NOW)).rejects.toBeInstanceOf(ReplayCheckUnavailable);
      await other.query("rollback");
      // The refused request's own signature may still be recorded late (a replay of a refused
      // request stays refused); other requests go through again.
      expect(await new SharedSignatureMemory(b.uow).claim(sig(10), NOW)).toBe(true);
    } finally {
      await other.end();
    }
  });

  it("forgets signatures past the window in the database", async () => {
    const memory = new SharedSignatureMemory(a.uow, { chunkSize: 10 });
    const keepMs = 6 * 60 * 1000;
    for (let i = 0; i < 25; i++) await memory.claim(sig(i), NOW - keepMs - 1000);
    await memory.claim(sig(100), NOW);
    await memory.prune(NOW);
    const { rows } = await a.pool.query<{ n: string }>("select count(*) as n from seen_signatures");
    expect(Number(rows[0]?.n)).toBe(1);
    expect(await new SharedSignatureMemory(b.uow).claim(sig(3), NOW)).toBe(true);
  });
});
