// The transaction runner on SQLite. better-sqlite3 is synchronous and one connection has one
// transaction, so use cases (async, as PostgreSQL needs them) are queued: each runs alone
// between BEGIN IMMEDIATE and COMMIT, and a failure rolls everything back.
import type Database from "better-sqlite3";
import type { Tx } from "../domain/ports.ts";
import type { RunOptions, StoreUnitOfWork } from "./types.ts";

/** What write-behind recorders need from a store's transaction runner (SQLite or PostgreSQL). */
export interface TxRunner<T> {
  run<R>(work: (tx: T) => Promise<R>, opts?: RunOptions): Promise<R>;
}

export class SqliteUnitOfWork<T extends Tx = Tx> implements StoreUnitOfWork<T> {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly totalChanges: Database.Statement;
  // Pragmas take effect when compiled, so these run as text each time, never kept prepared.
  private readonly relax: string;
  private readonly restore: string;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly tx: T,
    /** After a commit that wrote something (not quiet). */
    private readonly onCommit: () => void = () => {},
  ) {
    this.totalChanges = sqlite.prepare("select total_changes()").pluck();
    const sync = sqlite.pragma("synchronous", { simple: true }) as number;
    const busy = sqlite.pragma("busy_timeout", { simple: true }) as number;
    this.relax = `pragma synchronous = ${Math.min(sync, 1)}; pragma busy_timeout = 0`;
    this.restore = `pragma synchronous = ${sync}; pragma busy_timeout = ${busy}`;
  }

  run<R>(work: (tx: T) => Promise<R>, opts: RunOptions = {}): Promise<R> {
    const result = this.tail.then(() => this.exec(work, opts));
    // The queue continues whatever this transaction's outcome.
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async exec<R>(work: (tx: T) => Promise<R>, opts: RunOptions): Promise<R> {
    if (opts.background) this.sqlite.exec(this.relax);
    try {
      this.sqlite.exec("BEGIN IMMEDIATE");
      const before = this.totalChanges.get() as number;
      try {
        const value = await work(this.tx);
        // A transaction that wrote nothing (a list, a job with nothing due) leaves the
        // verification cache alone.
        const changed = this.totalChanges.get() !== before;
        this.sqlite.exec("COMMIT");
        if (changed && !opts.quiet) this.onCommit();
        return value;
      } catch (error) {
        if (this.sqlite.inTransaction) this.sqlite.exec("ROLLBACK");
        throw error;
      }
    } finally {
      if (opts.background) this.sqlite.exec(this.restore);
    }
  }
}
