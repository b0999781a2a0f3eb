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
