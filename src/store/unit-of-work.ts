// The transaction runner on SQLite. better-sqlite3 is synchronous and one connection has one
// transaction, so use cases (async, as PostgreSQL needs them) are queued: each runs alone
// between BEGIN IMMEDIATE and COMMIT, and a failure rolls everything back.
import type Database from "better-sqlite3";
import type { Tx } from "../domain/ports.ts";
import type { RunOptions, StoreUnitOfWork } from "./types.ts";

export class SqliteUnitOfWork<T extends Tx = Tx> implements StoreUnitOfWork<T> {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly changes: Database.Statement;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly tx: T,
    /** After a commit that wrote something (not quiet). */
    private readonly onCommit: () => void = () => {},
  ) {
    this.changes = sqlite.prepare("select total_changes()").pluck();
  }

  /** `quiet`: see RunOptions (the verification cache survives it). */
  run<R>(work: (tx: T) => Promise<R>, opts: RunOptions = {}): Promise<R> {
    const result = this.tail.then(() => this.exec(work, opts.quiet ?? false));
    // The queue continues whatever this transaction's outcome.
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async exec<R>(work: (tx: T) => Promise<R>, quiet: boolean): Promise<R> {
    this.sqlite.exec("BEGIN IMMEDIATE");
    try {
      const before = this.changes.get();
      const value = await work(this.tx);
      // A use case that only read (a list, a job with nothing due) leaves the cache alone.
      const wrote = this.changes.get() !== before;
      this.sqlite.exec("COMMIT");
      if (wrote && !quiet) this.onCommit();
      return value;
    } catch (error) {
      if (this.sqlite.inTransaction) this.sqlite.exec("ROLLBACK");
      throw error;
    }
  }
}
