// Opens the SQLite file with the settings Keyward relies on, and applies migrations. One
// process serves a file: a lock held for the process's life refuses a second one.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "../../db/schema.ts";
import { projectPath } from "../paths.ts";
import { checkpointInBackground } from "./checkpointer.ts";

export type Db = BetterSQLite3Database<typeof schema>;

const MIGRATIONS = projectPath("db/migrations");

export interface OpenDb {
  sqlite: Database.Database;
  db: Db;
  /**
   * Resolves when every connection it opened is closed (the checkpoint thread's too): the last
   * to close checkpoints and removes the WAL file.
   */
  close(): Promise<void>;
}

function configure(sqlite: Database.Database, readonly: boolean): void {
  // WAL lets the verification reader run while a change commits; FULL sync keeps every
  // committed change, audit event and notification across a crash.
  if (!readonly) sqlite.pragma("journal_mode = WAL");
  // The WAL file keeps its largest size unless told otherwise (a burst of writes, a long
  // read): cut it back to this when it starts over.
  if (!readonly) sqlite.pragma(`journal_size_limit = ${16 * 1024 * 1024}`);
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
}

/** The read-write connection; runs pending migrations. Its WAL checkpoints run elsewhere. */
export function openDb(path: string): OpenDb {
  const memory = path === ":memory:";
  if (!memory) mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  configure(sqlite, false);
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: MIGRATIONS });
  // An in-memory database has no WAL to checkpoint.
  const checkpoints = memory ? undefined : checkpointInBackground(sqlite, path);
  return {
    sqlite,
    db,
    // The checkpoint thread first, then this connection, last: closing together, neither may
    // find itself the last, and the WAL file would be left behind.
    close: async () => {
      await checkpoints?.close();
      sqlite.close();
    },
  };
}

/** A second, read-only connection for the verification hot path (WAL readers never block). */
export function openReader(path: string): OpenDb {
  const sqlite = new Database(path, { readonly: true });
  configure(sqlite, true);
  // Up to 64 MiB of pages cached: a verify should not go to the file for its B-tree pages.
  sqlite.pragma("cache_size = -65536");
  const db = drizzle(sqlite, { schema });
  return {
    sqlite,
    db,
    close: async () => {
      sqlite.close();
    },
  };
}

export class DatabaseInUse extends Error {}

/**
 * Holds an exclusive lock on `<path>.lock` until `release` (or until the process dies: the
 * operating system drops the lock with it, so a crash never leaves the file locked).
 * SQLite's own locking is per transaction; this makes it per process. A second Keyward on the
 * same file would keep its own caches and outbox claims unaware of the first.
 */
export function lockForProcess(path: string): { release(): void } {
  mkdirSync(dirname(path), { recursive: true });
  const lock = new Database(`${path}.lock`, { timeout: 0 });
  try {
    lock.pragma("locking_mode = EXCLUSIVE");
    lock.exec("BEGIN EXCLUSIVE");
  } catch (e) {
    lock.close();
    if ((e as { code?: string }).code !== "SQLITE_BUSY") throw e;
    throw new DatabaseInUse(
      `DATABASE_PATH: ${path} is in use by another Keyward process. SQLite serves one process ` +
        "per file; to run several instances, give them one PostgreSQL database (DATABASE_URL).",
    );
  }
  return { release: () => lock.close() };
}
