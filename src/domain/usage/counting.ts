// When usage counting began. Before it, a day without rows says nothing (the counts did not
// exist yet), so no grant is called unused over a window reaching back past it. Kept as a row
// of job_runs, written once, at the first start of a Keyward that counts.
import type { Ctx } from "../context.ts";
import type { Tx } from "../ports.ts";

export const COUNTING = "usage-counting-since";

/** Records that counting starts now, unless it started before; returns when it started. */
export async function startCountingUsage(ctx: Ctx): Promise<Date> {
  return ctx.uow.run(async (tx) => {
    const since = await tx.jobRuns.lastRun(COUNTING);
    if (since) return since;
    const now = ctx.clock.now();
    await tx.jobRuns.markRun(COUNTING, now);
    return now;
  });
}

export const countingSince = (tx: Tx): Promise<Date | undefined> => tx.jobRuns.lastRun(COUNTING);
