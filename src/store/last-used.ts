// last_used_at without slowing the verification answer: uses are remembered in memory and
// written in one small transaction a second later (and on shutdown).
import type { Tx } from "../domain/ports.ts";
import type { StoreUnitOfWork } from "./types.ts";

export class LastUsedRecorder {
  private pending = new Map<number, Date>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly uow: StoreUnitOfWork<Tx>,
    private readonly intervalMs = 1000,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  record(keyId: number, at: Date): void {
    this.pending.set(keyId, at);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(this.onError);
    }, this.intervalMs);
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    await this.uow.run((tx) => tx.keys.touchLastUsed(batch), { quiet: true });
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
