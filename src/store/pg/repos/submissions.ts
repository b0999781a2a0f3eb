import { appliedSubmissions } from "../../../../db/schema.pg.ts";
import type { SubmissionRepo } from "../../../domain/ports.ts";
import type { PgDb } from "../unit-of-work.ts";

export function submissionRepo(db: PgDb): SubmissionRepo {
  return {
    async claim(viewId, at) {
      // Shared by every instance: of two instances applying one submission, the second's
      // insert waits for the first's transaction, then fails to serialize and is run again,
      // and finds the row.
      const rows = await db
        .insert(appliedSubmissions)
        .values({ viewId, appliedAt: at })
        .onConflictDoNothing()
        .returning({ viewId: appliedSubmissions.viewId });
      return rows.length === 1;
    },
  };
}
