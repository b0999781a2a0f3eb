// Builds the store: one read-write connection behind the transaction runner, one read-only
// connection for the verification API.
import type { Tx } from "../domain/ports.ts";
import { type OpenDb, openDb, openReader } from "./db.ts";
import { auditRepo } from "./repos/audit.ts";
import { grantRepo } from "./repos/grants.ts";
import { jobRunRepo } from "./repos/job-runs.ts";
import { keyRepo } from "./repos/keys.ts";
import { nicknameRepo } from "./repos/nicknames.ts";
import { type OutboxQueue, outboxQueue, outboxRepo } from "./repos/outbox.ts";
import { requestRepo } from "./repos/requests.ts";
import { roleRepo } from "./repos/roles.ts";
import { type SignatureRepo, signatureRepo } from "./repos/signatures.ts";
import { submissionRepo } from "./repos/submissions.ts";
import { SqliteUnitOfWork } from "./unit-of-work.ts";
import { type SnapshotLookup, verifyLookup } from "./verify-lookup.ts";

/** The domain's repositories plus what the delivery worker and the HTTP layer need. */
export interface StoreTx extends Tx {
  outboxQueue: OutboxQueue;
  signatures: SignatureRepo;
}

export interface Store {
  uow: SqliteUnitOfWork<StoreTx>;
  verify: SnapshotLookup;
  path: string;
  writer: OpenDb;
  close(): void;
}

export function openStore(path: string): Store {
  const writer = openDb(path);
  const db = writer.db;
  const tx: StoreTx = {
    nicknames: nicknameRepo(db),
    keys: keyRepo(db),
    grants: grantRepo(db),
    roles: roleRepo(db),
    requests: requestRepo(db),
    audit: auditRepo(db),
    outbox: outboxRepo(db),
    submissions: submissionRepo(db),
    jobRuns: jobRunRepo(db),
    outboxQueue: outboxQueue(db),
    signatures: signatureRepo(db),
  };
  // An in-memory database has no second connection to share it; read through the writer.
  const reader = path === ":memory:" ? writer : openReader(path);
  const verify = verifyLookup(reader.sqlite, { shareSnapshots: reader !== writer });
  return {
    uow: new SqliteUnitOfWork(writer.sqlite, tx, () => verify.invalidate()),
    verify,
    path,
    writer,
    close() {
      verify.close();
      if (reader !== writer) reader.close();
      writer.close();
    },
  };
}
