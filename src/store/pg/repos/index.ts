// The repositories of one PostgreSQL transaction.
import type { StoreTx } from "../../types.ts";
import type { PgDb } from "../unit-of-work.ts";
import { auditRepo } from "./audit.ts";
import { expiryRepo } from "./expiries.ts";
import { grantRepo } from "./grants.ts";
import { jobRunRepo } from "./job-runs.ts";
import { keyRepo } from "./keys.ts";
import { nicknameRepo } from "./nicknames.ts";
import { outboxQueue, outboxRepo } from "./outbox.ts";
import { requestRepo } from "./requests.ts";
import { roleRepo } from "./roles.ts";
import { signatureRepo } from "./signatures.ts";
import { submissionRepo } from "./submissions.ts";
import { usageLog, usageRepo } from "./usage.ts";

/** One transaction's repositories, and what must be written just before its COMMIT. */
export function pgTx(db: PgDb, instanceId: string): { tx: StoreTx; beforeCommit(): Promise<void> } {
  const audit = auditRepo(db);
  const tx: StoreTx = {
    nicknames: nicknameRepo(db),
    keys: keyRepo(db),
    grants: grantRepo(db),
    roles: roleRepo(db),
    requests: requestRepo(db),
    audit,
    outbox: outboxRepo(db),
    submissions: submissionRepo(db),
    jobRuns: jobRunRepo(db),
    usage: usageRepo(db),
    expiries: expiryRepo(db),
    outboxQueue: outboxQueue(db, instanceId),
    signatures: signatureRepo(db),
    usageLog: usageLog(db),
  };
  return { tx, beforeCommit: () => audit.flush() };
}
