// The transaction runner on PostgreSQL. Use cases run concurrently, across processes too, so
// each runs SERIALIZABLE: PostgreSQL guarantees the outcome of some serial order, which is
// what every rule the domain checks by reading (the last owner, a free name, a pending
// request, the key's version) was written against on SQLite. A transaction that cannot be
// placed in such an order fails with a serialization failure (or a deadlock) and is run again
// from the start, a bounded number of times, after a short randomised pause.
// Quiet transactions (delivery bookkeeping, last-use times) run at READ COMMITTED: their
// statements are built for concurrency and must not fail on each other (SKIP LOCKED claims).
import { DrizzleQueryError } from "drizzle-orm";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import type pg from "pg";
import type { RunOptions, StoreTx, StoreUnitOfWork } from "../types.ts";

export type PgDb = NodePgDatabase;

const RETRYABLE = new Set(["40001", "40P01"]); // serialization_failure, deadlock_detected

/** The PostgreSQL error code of an error, also when Drizzle wrapped it. */
function sqlState(e: unknown): string | undefined {
  for (let x = e as { code?: unknown; cause?: unknown } | undefined, i = 0; x && i < 5; i++) {
    if (typeof x.code === "string" && /^[0-9A-Z]{5}$/.test(x.code)) return x.code;
    x = x.cause as typeof x;
  }
  return undefined;
}

export interface PgUnitOfWorkOptions {
  /** A transaction's repositories, and writes they hold back until just before COMMIT. */
  makeTx(db: PgDb): { tx: StoreTx; beforeCommit(): Promise<void> };
  /** Sent with every non-quiet commit that wrote, so other instances drop their caches. */
  notify: { channel: string; payload: string };
  /** After every non-quiet commit that wrote (this instance's own cache). */
  onCommit(): void;
  /** Attempts of one use case before its serialization failure is reported. */
  maxAttempts?: number;
}

export class PgUnitOfWork implements StoreUnitOfWork<StoreTx> {
  /** Serialization failures retried since start (for tests and diagnostics). */
  retries = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly o: PgUnitOfWorkOptions,
  ) {}

  async run<R>(work: (tx: StoreTx) => Promise<R>, opts: RunOptions = {}): Promise<R> {
    const max = this.o.maxAttempts ?? 8;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(work, opts);
      } catch (e) {
        const state = sqlState(e);
        if (!state || !RETRYABLE.has(state) || attempt >= max) throw e;
        this.retries++;
        // Full jitter, 5 ms doubling up to 200 ms: racing transactions spread out.
        const ceiling = Math.min(200, 5 * 2 ** (attempt - 1));
        await new Promise((r) => setTimeout(r, Math.random() * ceiling));
      }
    }
  }

  private async once<R>(work: (tx: StoreTx) => Promise<R>, opts: RunOptions): Promise<R> {
    const quiet = opts.quiet ?? false;
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(
        quiet ? "begin isolation level read committed" : "begin isolation level serializable",
      );
      // Written-behind bookkeeping (see RunOptions.background): no wait for the WAL flush, and
      // a row lock held elsewhere fails the chunk (kept and retried) instead of holding it.
      if (opts.background) {
        await client.query("set local synchronous_commit = off; set local lock_timeout = '200ms'");
      }
      const { tx, beforeCommit } = this.o.makeTx(drizzle(client));
      const value = await work(tx);
      await beforeCommit();
      let wrote = false;
      if (!quiet) {
        // Only a transaction that wrote has a transaction id; one that only read (a list, a
        // job with nothing due) leaves every cache alone. The notification is delivered to
        // the other instances only if, and when, this transaction commits.
        const sent = await client.query(
          "select pg_notify($1, $2) where pg_current_xact_id_if_assigned() is not null",
          [this.o.notify.channel, this.o.notify.payload],
        );
        wrote = sent.rowCount === 1;
      }
      await client.query("commit");
      if (wrote) this.o.onCommit();
      return value;
    } catch (e) {
      await client.query("rollback").catch((re: Error) => {
        broken = re;
      });
      // PostgreSQL's own error says what went wrong; Drizzle's wrapper adds the statement and
      // its parameters, which do not belong in a log line.
      throw e instanceof DrizzleQueryError && e.cause instanceof Error ? e.cause : e;
    } finally {
      client.release(broken);
    }
  }
}
