// Slack request signatures already accepted, to refuse replays within Slack's 5-minute
// window. Checked in memory (a request must not wait on the database before its 3-second
// acknowledgement), written behind in small batches (write-behind.ts: bounded chunks, kept and
// retried when the database is locked or full), and loaded again at start so a restart does
// not forget them. A crash can lose the last batch (≤ `flushMs` of requests); modal
// submissions stay protected by the apply-once record written with their change.
// Each signature is kept by its request's own timestamp: a request more than 5 minutes from
// now is refused before this is asked, so 6 minutes past that timestamp is always enough.
import type { StoreTx } from "./types.ts";
import type { TxRunner } from "./unit-of-work.ts";
import { DEFAULT_CHUNK, WriteBehind, yieldToLoop } from "./write-behind.ts";

export interface SignatureMemoryOptions {
  keepMs?: number;
  flushMs?: number;
  /** First retry after a failed write; doubles up to 30 s. */
  retryMs?: number;
  chunkSize?: number;
  onError?: (e: unknown, info: { waiting: number; failures: number }) => void;
}

export class SignatureMemory {
  private readonly seen = new Map<string, number>();
  private readonly writes: WriteBehind<string, number>;
  private readonly keepMs: number;
  private readonly chunkSize: number;

  constructor(
    private readonly uow: TxRunner<StoreTx>,
    opts: SignatureMemoryOptions = {},
  ) {
    this.keepMs = opts.keepMs ?? 6 * 60 * 1000;
    this.chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
    this.writes = new WriteBehind({
      delayMs: opts.flushMs ?? 50,
      chunkSize: this.chunkSize,
      retryMs: opts.retryMs ?? 1000,
      onError: opts.onError,
      write: (chunk) =>
        uow.run(
          async (tx) => {
            for (const [sig, at] of chunk) await tx.signatures.claim(sig, at);
          },
          { quiet: true, background: true },
        ),
    });
  }

  async load(now = Date.now()): Promise<void> {
    const rows = await this.uow.run(async (tx) => tx.signatures.since(now - this.keepMs), {
      quiet: true,
    });
    for (const r of rows) this.seen.set(r.signature, r.seenAt);
  }

  /** True the first time a signature is seen; `at` is the request's own timestamp (ms). */
  claim(signature: string, at = Date.now()): boolean {
    if (this.seen.has(signature)) return false;
    this.seen.set(signature, at);
    this.writes.record(signature, at);
    return true;
  }

  /** Signatures accepted but not yet written. */
  get waiting(): number {
    return this.writes.waiting;
  }

  /** Writes what is waiting; false when some of it could not be written yet (kept, retried). */
  flush(): Promise<boolean> {
    return this.writes.flush();
  }

  /** Forgets signatures past the window, in memory and (in bounded chunks) in the database. */
  async prune(now = Date.now()): Promise<void> {
    const before = now - this.keepMs;
    for (const [sig, at] of this.seen) if (at < before) this.seen.delete(sig);
    this.writes.discard((_, at) => at < before);
    for (;;) {
      const n = await this.uow.run(
        async (tx) => tx.signatures.forgetBefore(before, this.chunkSize),
        { quiet: true, background: true },
      );
      if (n < this.chunkSize) return;
      await yieldToLoop();
    }
  }

  async stop(): Promise<void> {
    await this.writes.stop();
  }
}

/** The shared replay memory could not answer in time; the request is refused (503). */
export class ReplayCheckUnavailable extends Error {}

export interface SharedSignatureMemoryOptions {
  keepMs?: number;
  /** How long a claim may wait on the database before the request is refused (default 2 s). */
  waitMs?: number;
  chunkSize?: number;
}

/**
 * The replay memory when several instances share one PostgreSQL database: a signature is
 * claimed in the database (insert-or-ignore on its primary key) before the request is handled,
 * so a request replayed to another instance finds it there and is refused. A signature this
 * instance has already seen is refused from memory without asking. When the database does not
 * answer within `waitMs`, the claim fails closed (ReplayCheckUnavailable: the request is
 * refused with 503): handling it would need that same database anyway, and accepting it
 * unchecked would let a replay through exactly when nobody can tell.
 */
export class SharedSignatureMemory {
  private readonly seen = new Map<string, number>();
  private readonly keepMs: number;
  private readonly waitMs: number;
  private readonly chunkSize: number;

  constructor(
    private readonly uow: TxRunner<StoreTx>,
    opts: SharedSignatureMemoryOptions = {},
  ) {
    this.keepMs = opts.keepMs ?? 6 * 60 * 1000;
    this.waitMs = opts.waitMs ?? 2000;
    this.chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
  }

  /** Nothing to load: every claim asks the database. */
  async load(): Promise<void> {}

  /** True the first time a signature is seen by any instance; `at` is the request's timestamp. */
  async claim(signature: string, at = Date.now()): Promise<boolean> {
    if (this.seen.has(signature)) return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new ReplayCheckUnavailable(`no answer from the database in ${this.waitMs} ms`)),
        this.waitMs,
      );
    });
    let first: boolean;
    try {
      first = await Promise.race([
        // Not waiting for the WAL flush (background): a database crash may forget the last
        // claims, as SQLite's write-behind may forget its last batch; every request pays one
        // round trip instead of a disk flush.
        this.uow.run(async (tx) => tx.signatures.claim(signature, at), {
          quiet: true,
          background: true,
        }),
        late,
      ]);
    } catch (e) {
      if (e instanceof ReplayCheckUnavailable) throw e;
      throw new ReplayCheckUnavailable((e as Error).message);
    } finally {
      clearTimeout(timer);
    }
    this.seen.set(signature, at);
    return first;
  }

  get waiting(): number {
    return 0;
  }

  async flush(): Promise<boolean> {
    return true;
  }

  /** Forgets signatures past the window, in memory and (in bounded chunks) in the database. */
  async prune(now = Date.now()): Promise<void> {
    const before = now - this.keepMs;
    for (const [sig, at] of this.seen) if (at < before) this.seen.delete(sig);
    for (;;) {
      const n = await this.uow.run(
        async (tx) => tx.signatures.forgetBefore(before, this.chunkSize),
        { quiet: true, background: true },
      );
      if (n < this.chunkSize) return;
      await yieldToLoop();
    }
  }

  async stop(): Promise<void> {}
}
