// A store that only reads, on connections of its own: for work that runs beside the app, in
// a process of its own (the digest's pass over every key). SQLite: one read-only connection to
// the same file, which takes no lock (the file's process lock is the app's). PostgreSQL: one
// connection.
import pg from "pg";
import type { Tx, UnitOfWork } from "../domain/ports.ts";
import { type OpenDb, openReader } from "./db.ts";
import { sqliteTx } from "./index.ts";
import { clientConfig } from "./pg/connect.ts";
import { pgTx } from "./pg/repos/index.ts";
import { PgUnitOfWork } from "./pg/unit-of-work.ts";

/** Which database to read: the SQLite file, or PostgreSQL's URL. */
export type DatabaseRef = { path: string } | { url: string };

export interface ReadOnlyStore {
  uow: UnitOfWork;
  close(): Promise<void>;
}

const INSTANCE = "read-only";

export function openReadOnlyStore(ref: DatabaseRef): ReadOnlyStore {
  if ("url" in ref) {
    // Every transaction read-only: the server refuses a write, as SQLite's read-only file does.
    const pool = new pg.Pool({
      ...clientConfig(ref.url),
      max: 1,
      options: "-c default_transaction_read_only=on",
    });
    pool.on("error", () => {});
    const inner = new PgUnitOfWork(pool, {
      makeTx: (db) => pgTx(db, INSTANCE),
      notify: { channel: "keyward_changes", payload: INSTANCE },
      onCommit: () => {},
    });
    return {
      // Quiet: READ COMMITTED, and no change notice is asked for (nothing is written).
      uow: { run: (work) => inner.run(work, { quiet: true }) },
      close: () => pool.end(),
    };
  }
  const reader = openReader(ref.path);
  try {
    return sqliteReadOnly(reader);
  } catch (e) {
    // The repositories prepare their statements at once: a file without the app's tables
    // fails here, and the connection is not left open.
    reader.sqlite.close();
    throw e;
  }
}

function sqliteReadOnly(reader: OpenDb): ReadOnlyStore {
  const tx = sqliteTx(reader.db, INSTANCE);
  const begin = reader.sqlite.prepare("BEGIN");
  const commit = reader.sqlite.prepare("COMMIT");
  // One transaction at a time, as on the app's writer: a read snapshot each.
  let tail: Promise<unknown> = Promise.resolve();
  const run = <T>(work: (tx: Tx) => Promise<T>): Promise<T> => {
    const result = tail.then(async () => {
      begin.run();
      try {
        return await work(tx);
      } finally {
        if (reader.sqlite.inTransaction) commit.run();
      }
    });
    tail = result.catch(() => undefined);
    return result;
  };
  return {
    uow: { run },
    close: async () => reader.close(),
  };
}
