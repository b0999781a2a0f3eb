// The transaction runner. better-sqlite3 is synchronous and one connection has one
// transaction, so use cases (async, for a future PostgreSQL backend) are queued: each runs
// alone between BEGIN IMMEDIATE and COMMIT, and a failure rolls everything back.
import type Database from "better-sqlite3";
import type { Tx, UnitOfWork } from "../domain/ports.ts";

export class SqliteUnitOfWork<T extends Tx = Tx> implements UnitOfWork {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sqlite: Database.Database,
    private readonly tx: T,
    private readonly onCommit: () => void = () => {},
  ) {}

  /**
   * `quiet` marks a transaction that cannot change a verification answer (last-use
   * timestamps), so the verification cache survives it.
   */
  run<R>(work: (tx: T) => Promise<R>, opts: { quiet?: boolean } = {}): Promise<R> {
    const result = this.tail.then(() => this.exec(work, opts.quiet ?? false));
    // The queue continues whatever this transaction's outcome.
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async exec<R>(work: (tx: T) => Promise<R>, quiet: boolean): Promise<R> {
    this.sqlite.exec("BEGIN IMMEDIATE");
    try {
      const value = await work(this.tx);
      this.sqlite.exec("COMMIT");
      if (!quiet) this.onCommit();
      return value;
    } catch (error) {
      if (this.sqlite.inTransaction) this.sqlite.exec("ROLLBACK");
      throw error;
    }
  }
}
