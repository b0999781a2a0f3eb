// Builds the store for the configured backend: PostgreSQL when DATABASE_URL is set (several
// instances may share it), otherwise the SQLite file at DATABASE_PATH (one process).
import { randomUUID } from "node:crypto";
import type { Log } from "../log.ts";
import { lockForProcess, type OpenDb, openDb, openReader } from "./db.ts";
import { openPgStore, type PgStore } from "./pg/index.ts";
import { auditRepo } from "./repos/audit.ts";
import { expiryRepo } from "./repos/expiries.ts";
import { grantRepo } from "./repos/grants.ts";
import { jobRunRepo } from "./repos/job-runs.ts";
import { keyRepo } from "./repos/keys.ts";
import { nicknameRepo } from "./repos/nicknames.ts";
import { outboxQueue, outboxRepo } from "./repos/outbox.ts";
import { requestRepo } from "./repos/requests.ts";
import { roleRepo } from "./repos/roles.ts";
import { signatureRepo } from "./repos/signatures.ts";
import { submissionRepo } from "./repos/submissions.ts";
import { usageLog, usageRepo } from "./repos/usage.ts";
import type { StoreCommon, StoreTx } from "./types.ts";
import { SqliteUnitOfWork } from "./unit-of-work.ts";
import { verifyLookup } from "./verify-lookup.ts";

export type { PgStore } from "./pg/index.ts";
export type { RunOptions, StoreTx, StoreUnitOfWork } from "./types.ts";

export interface SqliteStore extends StoreCommon {
  backend: "sqlite";
  uow: SqliteUnitOfWork<StoreTx>;
  path: string;
  writer: OpenDb;
}

export type Store = SqliteStore | PgStore;

/** The store for the configuration: DATABASE_URL (PostgreSQL) or DATABASE_PATH (SQLite). */
export async function connectStore(
  c: { DATABASE_URL?: string; DATABASE_PATH: string },
  log?: Log,
): Promise<Store> {
  if (c.DATABASE_URL) return openPgStore(c.DATABASE_URL, { log });
  return openStore(c.DATABASE_PATH);
}

/** One SQLite connection's repositories. */
export function sqliteTx(db: OpenDb["db"], instanceId: string): StoreTx {
  return {
    nicknames: nicknameRepo(db),
    keys: keyRepo(db),
    grants: grantRepo(db),
    roles: roleRepo(db),
    requests: requestRepo(db),
    audit: auditRepo(db),
    outbox: outboxRepo(db),
    submissions: submissionRepo(db),
    jobRuns: jobRunRepo(db),
    usage: usageRepo(db),
    expiries: expiryRepo(db),
    outboxQueue: outboxQueue(db, instanceId),
    signatures: signatureRepo(db),
    usageLog: usageLog(db),
  };
}

/**
 * SQLite: one read-write connection behind the transaction runner, one read-only connection
 * for the verification API, and a lock that refuses a second process on the same file.
 */
export function openStore(path: string): SqliteStore {
  const lock = path === ":memory:" ? undefined : lockForProcess(path);
  let writer: OpenDb;
  try {
    writer = openDb(path);
  } catch (e) {
    lock?.release();
    throw e;
  }
  const db = writer.db;
  const instanceId = randomUUID();
  const tx = sqliteTx(db, instanceId);

  // An in-memory database has no second connection to share it; read through the writer.
  const reader = path === ":memory:" ? writer : openReader(path);
  // The writer's data_version moves only when another connection commits.
  const dataVersion = writer.sqlite.prepare("PRAGMA data_version").pluck();
  let seen = dataVersion.get();
  const verify = verifyLookup(reader.sqlite, {
    shareSnapshots: reader !== writer,
    changedElsewhere: () => {
      const now = dataVersion.get();
      if (now === seen) return false;
      seen = now;
      return true;
    },
  });
  let closed = false;
  return {
    backend: "sqlite",
    uow: new SqliteUnitOfWork(writer.sqlite, tx, () => verify.invalidate()),
    verify,
    instanceId,
    path,
    writer,
    // One process per file: nobody else can be running the job.
    exclusive: (_name, fn) => fn(),
    async ping() {
      writer.sqlite.prepare("select 1").get();
    },
    async close() {
      if (closed) return;
      closed = true;
      verify.close();
      if (reader !== writer) await reader.close();
      // Resolves once the checkpoint thread has closed its connection too: after this nothing
      // changes the database's files (the WAL file is removed by the last to close).
      await writer.close();
      lock?.release();
    },
  };
}
