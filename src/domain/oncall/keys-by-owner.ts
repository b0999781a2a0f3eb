// Which keys each key owner has, as the digest needs it: the digest asks Slack which owners
// have left and lists their keys. Plain data with no object per owner or per key, because it
// crosses from the key-scan process and is read on the main thread in one piece: a Map of
// shortlists of whole keys took 13-36 ms to read there at 1,000 owners and 0.8 s at 100,000.
// This form is read in under a millisecond at 5,000 owners (typed arrays and one string).

export interface KeysByOwner {
  /** How many ids are kept per owner. */
  perOwner: number;
  /** The owners' user ids, each followed by "\n" (Slack user ids hold none), in first-seen order. */
  owners: string;
  /** counts[i]: how many keys the i-th owner has. */
  counts: Uint32Array;
  /** ids[i * perOwner + j]: the id of the i-th owner's j-th key in id order; 0 past counts[i]. */
  ids: Float64Array;
}

/** Collects KeysByOwner during a scan that reads keys in id order. */
export class KeysByOwnerBuilder {
  private readonly index = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly counts: number[] = [];
  private readonly ids: number[] = [];

  constructor(private readonly perOwner: number) {}

  add(owner: string, keyId: number): void {
    let i = this.index.get(owner);
    if (i === undefined) {
      i = this.names.length;
      this.index.set(owner, i);
      this.names.push(owner);
      this.counts.push(0);
      for (let j = 0; j < this.perOwner; j++) this.ids.push(0);
    }
    const held = this.counts[i] as number;
    if (held < this.perOwner) this.ids[i * this.perOwner + held] = keyId;
    this.counts[i] = held + 1;
  }

  build(): KeysByOwner {
    return {
      perOwner: this.perOwner,
      owners: this.names.map((n) => `${n}\n`).join(""),
      counts: Uint32Array.from(this.counts),
      ids: Float64Array.from(this.ids),
    };
  }
}

/** Each owner, how many keys they have and the ids of the first few; read one owner at a time. */
export function* ownersOf(
  b: KeysByOwner,
): Generator<{ owner: string; count: number; ids: number[] }> {
  let start = 0;
  for (let i = 0; i < b.counts.length; i++) {
    const end = b.owners.indexOf("\n", start);
    const owner = b.owners.slice(start, end);
    start = end + 1;
    const count = b.counts[i] as number;
    const from = i * b.perOwner;
    yield {
      owner,
      count,
      ids: Array.from(b.ids.subarray(from, from + Math.min(count, b.perOwner))),
    };
  }
}
