// What a digest section shows of a list that may be 100,000 long: its first few, and its
// length. Only the first few are kept, so building a digest holds one page of keys in memory
// rather than every key and a text for each.

/** A shortlist as data: what crosses to another thread, or is read back. */
export interface Listed<T> {
  readonly first: readonly T[];
  readonly count: number;
}

export class Shortlist<T> implements Listed<T> {
  /** How many were added. */
  count = 0;
  /** The first `size` added, in order. */
  readonly first: T[] = [];

  constructor(readonly size: number) {}

  add(item: T): void {
    this.count += 1;
    if (this.first.length < this.size) this.first.push(item);
  }
}
