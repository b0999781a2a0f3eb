import { eq } from "drizzle-orm";
import { jobRuns } from "../../../db/schema.ts";
import type { JobRunRepo } from "../../domain/ports.ts";
import type { Db } from "../db.ts";

export function jobRunRepo(db: Db): JobRunRepo {
  return {
    async lastRun(name) {
      const row = db.select().from(jobRuns).where(eq(jobRuns.name, name)).get();
      return row?.lastRunAt;
    },
    async markRun(name, at) {
      db.insert(jobRuns)
        .values({ name, lastRunAt: at })
        .onConflictDoUpdate({ target: jobRuns.name, set: { lastRunAt: at } })
        .run();
    },
  };
}
