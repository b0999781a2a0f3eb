// last_used_at without slowing the verification answer: uses are remembered in memory (the
// latest per key) and written behind a second later, in bounded chunks that leave the event
// loop free between them, each one prepared statement run per key (see write-behind.ts).
import type { Tx } from "../domain/ports.ts";
import type { TxRunner } from "./unit-of-work.ts";
import { WriteBehind, type WriteBehindOptions } from "./write-behind.ts";

export type LastUsedOptions = Partial<
  Pick<WriteBehindOptions<number, Date>, "chunkSize" | "retryMs" | "maxRetryMs">
>;

export class LastUsedRecorder {
  private readonly uses: WriteBehind<number, Date>;

  constructor(
    uow: TxRunner<Tx>,
    intervalMs = 1000,
    onError: WriteBehindOptions<number, Date>["onError"] = () => {},
    opts: LastUsedOptions = {},
  ) {
    this.uses = new WriteBehind({
      ...opts,
      delayMs: intervalMs,
      merge: (a, b) => (b.getTime() > a.getTime() ? b : a),
      write: (chunk) =>
        uow.run((tx) => tx.keys.touchLastUsed(chunk), { quiet: true, background: true }),
      onError,
    });
  }

  record(keyId: number, at: Date): void {
    this.uses.record(keyId, at);
  }

  /** Uses not yet written. */
  get waiting(): number {
    return this.uses.waiting;
  }

  /** Writes what is waiting; false when some of it could not be written yet (kept). */
  flush(): Promise<boolean> {
    return this.uses.flush();
  }

  async stop(): Promise<void> {
    await this.uses.stop();
  }
}
