// Data migrations on both backends: a database as an earlier release left it, rows included,
// migrated to the current schema.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { drizzle as sqliteDrizzle } from "drizzle-orm/better-sqlite3";
import { migrate as sqliteMigrate } from "drizzle-orm/better-sqlite3/migrator";
import { drizzle as pgDrizzle } from "drizzle-orm/node-postgres";
import { migrate as pgMigrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/index.ts";
import { openPgStore } from "../../src/store/pg/index.ts";
import { query } from "../helpers/db-rows.ts";
import { freshDatabase, hasPostgres } from "../helpers/pg.ts";
import { TEST_PG } from "../helpers/store.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "keyward-migrations-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of a migrations folder that stops before the migration tagged `before`. */
function migrationsUntil(folder: string, before: string): string {
  const out = join(dir, folder);
  cpSync(new URL(`../../db/${folder}`, import.meta.url), out, { recursive: true });
  const journalPath = join(out, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === before);
  expect(at, `${folder} has ${before}`).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(journalPath, JSON.stringify(journal));
  return out;
}

/** Outbox rows as the worker wrote them when "in doubt" was a prefix of last_error. */
const OLD_ROWS = [
  { recipient: "U1", lastError: "ambiguous: slack_webapi_request_error" },
  { recipient: "U2", lastError: "ambiguous: look-up: ratelimited" },
  { recipient: "U3", lastError: "user_not_found" },
  { recipient: "U4", lastError: null },
];
const MIGRATED = [
  { recipient: "U1", in_doubt: 1, last_error: "slack_webapi_request_error" },
  { recipient: "U2", in_doubt: 1, last_error: "look-up: ratelimited" },
  { recipient: "U3", in_doubt: 0, last_error: "user_not_found" },
  { recipient: "U4", in_doubt: 0, last_error: null },
];

async function expectMigrated(store: Store): Promise<void> {
  expect(
    await query(store, "select recipient, in_doubt, last_error from outbox order by id"),
  ).toEqual(MIGRATED);
  // The worker reads the doubt from the column: these rows are looked up before any resend.
  const claimed = await store.uow.run((tx) => tx.outboxQueue.claimDue(Date.now(), 10), {
    quiet: true,
  });
  expect(claimed.map((r) => [r.recipient, r.inDoubt])).toEqual(
    MIGRATED.map((r) => [r.recipient, r.in_doubt === 1]),
  );
}

describe("the outbox's in-doubt column", () => {
  it("takes over the 'ambiguous:' prefix of rows SQLite already holds", async () => {
    const path = join(dir, "keyward.db");
    const old = new Database(path);
    sqliteMigrate(sqliteDrizzle(old), {
      migrationsFolder: migrationsUntil("migrations", "0006_outbox_in_doubt"),
    });
    const insert = old.prepare(
      `insert into outbox (created_at, kind, recipient, payload, status, next_attempt_at, last_error)
       values (0, 'dm', ?, '{"type":"digest"}', 'pending', 0, ?)`,
    );
    for (const r of OLD_ROWS) insert.run(r.recipient, r.lastError);
    old.close();

    const store = openStore(path);
    try {
      await expectMigrated(store);
    } finally {
      await store.close();
    }
  });

  it.skipIf(!hasPostgres())("takes over the prefix on PostgreSQL too", async () => {
    const url = await freshDatabase();
    const old = new pg.Client({ connectionString: url });
    await old.connect();
    try {
      await pgMigrate(pgDrizzle(old), {
        migrationsFolder: migrationsUntil("migrations-pg", "0003_outbox_in_doubt"),
      });
      for (const r of OLD_ROWS)
        await old.query(
          `insert into outbox (created_at, kind, recipient, payload, status, next_attempt_at, last_error)
           values (to_timestamp(0), 'dm', $1, '{"type":"digest"}', 'pending', to_timestamp(0), $2)`,
          [r.recipient, r.lastError],
        );
    } finally {
      await old.end();
    }

    const store = await openPgStore(url, TEST_PG);
    try {
      await expectMigrated(store);
    } finally {
      await store.close();
    }
  });
});
