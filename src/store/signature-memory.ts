// Slack request signatures already accepted, to refuse replays within Slack's 5-minute
// window. Checked in memory (a request must not wait on the database before its 3-second
// acknowledgement), written behind in small batches, and loaded again at start so a restart
// does not forget them. A crash can lose the last batch (≤ `flushMs` of requests); modal
// submissions stay protected by the apply-once record written with their change.
// Each signature is kept by its request's own timestamp: a request more than 5 minutes from
// now is refused before this is asked, so 6 minutes past that timestamp is always enough.
import type { StoreTx, StoreUnitOfWork } from "./types.ts";

export class SignatureMemory {
  private readonly seen = new Map<string, number>();
  private pending: Array<[string, number]> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly uow: StoreUnitOfWork<StoreTx>,
    private readonly keepMs = 6 * 60 * 1000,
    private readonly flushMs = 50,
  ) {}

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
    this.pending.push([signature, at]);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.flushMs);
    return true;
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    await this.uow.run(
      async (tx) => {
        for (const [sig, at] of batch) await tx.signatures.claim(sig, at);
      },
      { quiet: true },
    );
  }

  async prune(now = Date.now()): Promise<void> {
    const before = now - this.keepMs;
    for (const [sig, at] of this.seen) if (at < before) this.seen.delete(sig);
    await this.uow.run(async (tx) => tx.signatures.forgetBefore(before), { quiet: true });
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
