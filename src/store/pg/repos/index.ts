// The repositories of one PostgreSQL transaction.
import type { StoreTx } from "../../types.ts";
import type { PgDb } from "../unit-of-work.ts";
import { auditRepo } from "./audit.ts";
import { grantRepo } from "./grants.ts";
import { jobRunRepo } from "./job-runs.ts";
import { keyRepo } from "./keys.ts";
import { nicknameRepo } from "./nicknames.ts";
import { outboxQueue, outboxRepo } from "./outbox.ts";
import { requestRepo } from "./requests.ts";
import { roleRepo } from "./roles.ts";
import { signatureRepo } from "./signatures.ts";
import { submissionRepo } from "./submissions.ts";

export function pgTx(db: PgDb, instanceId: string): StoreTx {
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
    outboxQueue: outboxQueue(db, instanceId),
    signatures: signatureRepo(db),
  };
}
