import { eq } from "drizzle-orm";
import { jobRuns } from "../../../../db/schema.pg.ts";
import type { JobRunRepo } from "../../../domain/ports.ts";
import type { PgDb } from "../unit-of-work.ts";

export function jobRunRepo(db: PgDb): JobRunRepo {
  return {
    async lastRun(name) {
      const [row] = await db.select().from(jobRuns).where(eq(jobRuns.name, name));
      return row?.lastRunAt;
    },
    async markRun(name, at) {
      await db
        .insert(jobRuns)
        .values({ name, lastRunAt: at })
        .onConflictDoUpdate({ target: jobRuns.name, set: { lastRunAt: at } });
    },
  };
}
