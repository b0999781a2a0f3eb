// Usage rows are kept RETENTION_DAYS days (see domain/usage/unused.ts for why); older ones are
// deleted by a job, in chunks of bounded size, each its own background transaction, with the
// event loop given back between them. On PostgreSQL the job runs on one instance at a time.
import { dayOf } from "../domain/usage/days.ts";
import { RETENTION_DAYS } from "../domain/usage/unused.ts";
import type { StoreTx } from "./types.ts";
import type { TxRunner } from "./unit-of-work.ts";
import { DEFAULT_CHUNK, yieldToLoop } from "./write-behind.ts";

/** Deletes usage rows of days before the retention; returns how many. */
export async function pruneUsage(
  uow: TxRunner<StoreTx>,
  now: Date,
  chunk = DEFAULT_CHUNK,
): Promise<number> {
  const before = dayOf(now) - RETENTION_DAYS;
  let total = 0;
  for (;;) {
    const n = await uow.run((tx) => tx.usageLog.pruneBefore(before, chunk), {
      quiet: true,
      background: true,
    });
    total += n;
    if (n < chunk) return total;
    await yieldToLoop();
  }
}
