import { appliedSubmissions } from "../../../db/schema.ts";
import type { SubmissionRepo } from "../../domain/ports.ts";
import type { Db } from "../db.ts";

export function submissionRepo(db: Db): SubmissionRepo {
  return {
    async claim(viewId, at) {
      const r = db
        .insert(appliedSubmissions)
        .values({ viewId, appliedAt: at })
        .onConflictDoNothing()
        .run();
      return r.changes === 1;
    },
  };
}
