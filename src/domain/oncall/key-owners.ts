// Who owns keys, as the digest needs it: it asks Slack which of them have left the workspace,
// then reads their keys (keys.ofOwners). One string, with no object per owner, because it
// crosses from the key-scan process and is read on the main thread in one piece: a Map of
// shortlists of whole keys per owner took 13-36 ms to read there at 1,000 owners and 0.8 s at
// 100,000; one string of 100,000 owners is read in a few milliseconds.

/** Every key owner's user id followed by "\n" (Slack user ids hold none), in first-seen order. */
export type KeyOwners = string;

/** Collects KeyOwners during a scan. */
export class KeyOwnersBuilder {
  private readonly seen = new Set<string>();

  add(owner: string): void {
    this.seen.add(owner);
  }

  build(): KeyOwners {
    let all = "";
    for (const owner of this.seen) all += `${owner}\n`;
    return all;
  }
}

/** Each owner, one at a time. */
export function* ownersIn(owners: KeyOwners): Generator<string> {
  let start = 0;
  for (let end = owners.indexOf("\n"); end >= 0; end = owners.indexOf("\n", start)) {
    yield owners.slice(start, end);
    start = end + 1;
  }
}
