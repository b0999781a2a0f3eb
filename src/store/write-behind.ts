// Write-behind for bookkeeping that must not slow the request that causes it (a key's last
// use, a Slack signature already seen). Values wait in memory, one per key, and are written a
// little later in chunks of bounded size, one transaction each, giving the event loop back
// between chunks: a flush of any size never holds it longer than one chunk. A chunk that fails
// (database locked, disk full) is kept with everything after it and tried again with backoff;
// no failure escapes as an unhandled rejection.

export interface WriteBehindOptions<K, V> {
  /** Writes one chunk, in one transaction. */
  write(chunk: ReadonlyMap<K, V>): Promise<void>;
  /** The value to keep when a key is recorded again before it was written (default: newer). */
  merge?(waiting: V, newer: V): V;
  /** How long after the first unwritten record a flush starts. */
  delayMs: number;
  /** Entries per transaction: bounds how long one chunk keeps the event loop. */
  chunkSize?: number;
  /** Wait before the first retry after a failure; doubles up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  /** Told about each failed attempt; what failed is kept and retried. */
  onError?(error: unknown, info: { waiting: number; failures: number }): void;
}

export const DEFAULT_CHUNK = 200;

/** A macrotask boundary: I/O callbacks (requests) that arrived meanwhile run first. */
export const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class WriteBehind<K, V> {
  private pending = new Map<K, V>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<boolean> | undefined;
  private failures = 0;
  private stopped = false;

  constructor(private readonly o: WriteBehindOptions<K, V>) {}

  /** Entries not yet written. */
  get waiting(): number {
    return this.pending.size;
  }

  record(key: K, value: V): void {
    const waiting = this.pending.get(key);
    this.pending.set(key, waiting === undefined ? value : this.merge(waiting, value));
    if (!this.running) this.schedule(this.o.delayMs);
  }

  /** Forgets waiting entries that need not be written any more. */
  discard(drop: (key: K, value: V) => boolean): void {
    for (const [k, v] of this.pending) if (drop(k, v)) this.pending.delete(k);
  }

  /** Writes what is waiting now; false when a chunk failed (it is kept and retried). */
  async flush(): Promise<boolean> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.running) await this.running;
    if (this.pending.size === 0) return true;
    this.running = this.drain();
    const ok = await this.running;
    this.running = undefined;
    if (!this.stopped && this.pending.size > 0) this.schedule(ok ? this.o.delayMs : this.backoff());
    return ok;
  }

  /** Stops the timer and writes what is waiting, trying a few times; false if some is lost. */
  async stop(attempts = 3): Promise<boolean> {
    this.stopped = true;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, this.backoff()));
      if (await this.flush()) return true;
    }
    return this.pending.size === 0;
  }

  private merge(waiting: V, newer: V): V {
    return this.o.merge ? this.o.merge(waiting, newer) : newer;
  }

  private schedule(ms: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // flush() never rejects: a failure is kept, reported and retried.
      void this.flush();
    }, ms);
    this.timer.unref();
  }

  private backoff(): number {
    const base = this.o.retryMs ?? 1000;
    return Math.min(base * 2 ** Math.max(0, this.failures - 1), this.o.maxRetryMs ?? 30_000);
  }

  private async drain(): Promise<boolean> {
    const entries = [...this.pending];
    this.pending = new Map();
    const size = this.o.chunkSize ?? DEFAULT_CHUNK;
    for (let i = 0; i < entries.length; i += size) {
      // Before the first chunk too: a flush that follows another (one asked for while the
      // timer's ran) must not add its first chunk to the other's last in one turn.
      await yieldToLoop();
      try {
        await this.o.write(new Map(entries.slice(i, i + size)));
      } catch (error) {
        // Keep this chunk and the rest; anything recorded since is newer and merges over it.
        for (const [k, v] of entries.slice(i)) {
          const newer = this.pending.get(k);
          this.pending.set(k, newer === undefined ? v : this.merge(v, newer));
        }
        this.failures++;
        try {
          this.o.onError?.(error, { waiting: this.pending.size, failures: this.failures });
        } catch {}
        return false;
      }
    }
    this.failures = 0;
    return true;
  }
}
