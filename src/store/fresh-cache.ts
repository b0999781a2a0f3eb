// A cache whose entries are good for `maxAgeMs` after they were read. Entries live in two
// generations swapped every `maxAgeMs`; when a generation is dropped everything in it is past
// its age, so memory holds only what was read in the last two periods (not every key ever
// verified), and nothing ever walks the entries to evict them.
export class FreshCache<K, V> {
  private current = new Map<K, { at: number; value: V }>();
  private previous = new Map<K, { at: number; value: V }>();
  private rotatedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly maxAgeMs: number,
    /** Entries per generation at most: past it the generation rotates early. */
    private readonly maxEntries: number,
  ) {}

  /** The entry read for `key` within the last `maxAgeMs`, if any. */
  get(key: K, now: number): { value: V } | undefined {
    const hit = this.current.get(key) ?? this.previous.get(key);
    return hit && now - hit.at <= this.maxAgeMs ? hit : undefined;
  }

  set(key: K, value: V, now: number): void {
    if (now - this.rotatedAt >= this.maxAgeMs || this.current.size >= this.maxEntries) {
      this.previous = this.current;
      this.current = new Map();
      this.rotatedAt = now;
    }
    this.current.set(key, { at: now, value });
  }

  clear(): void {
    this.current = new Map();
    this.previous = new Map();
  }

  /** Entries held (fresh or not yet dropped). */
  get size(): number {
    return this.current.size + this.previous.size;
  }
}
