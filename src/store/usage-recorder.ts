// Usage per key and day, and per allowed check (nickname, API, the grant it was counted
// against), without slowing the verification answer. A use adds to counters in memory: two
// map lookups and an increment, with nothing allocated once the key and nickname are in use.
// Every `intervalMs` the counts are handed over, in slices that give the event loop back, to
// a write-behind (write-behind.ts: chunks of bounded size, one background transaction each,
// kept and retried on failure) whose merge sums them, so counts recorded while an earlier
// batch waits or failed are added, never overwritten. A crash loses the counts of the last
// second or two (a stop writes them).
import { ALL_ACCOUNTS, API_IDS, type ApiId, satisfiedBy } from "../domain/catalog.ts";
import type { GrantCell } from "../domain/types.ts";
import { DAY_MS } from "../domain/usage/days.ts";
import type { StoreTx, UsageRow } from "./types.ts";
import type { TxRunner } from "./unit-of-work.ts";
import {
  DEFAULT_CHUNK,
  WriteBehind,
  type WriteBehindOptions,
  yieldToLoop,
} from "./write-behind.ts";

/**
 * Counters of one (API asked, grant that allowed it) pair: the API's place in the catalog,
 * times 4; plus 2 when the grant's API implies the one asked (orders:write for orders:read);
 * plus 1 when the grant is All accounts.
 */
const SLOTS = API_IDS.length * 4;
// The layout holds while each API is satisfied by itself and at most one API implying it.
if (API_IDS.some((api) => satisfiedBy(api)[0] !== api || satisfiedBy(api).length > 2)) {
  throw new Error("usage slots: an API is implied by more than one other; widen the layout");
}
const API_INDEX = Object.fromEntries(API_IDS.map((api, i) => [api, i])) as Record<ApiId, number>;

interface KeyTally {
  keyId: number;
  day: number;
  calls: number;
  refused: number;
  /** Allowed checks by the nickname asked about. */
  checks: Map<string, number[]> | undefined;
}

export interface UsageRecorderOptions
  extends Partial<Pick<WriteBehindOptions<string, UsageRow>, "chunkSize" | "retryMs" | "onError">> {
  /** How often counters are handed to the write-behind. */
  intervalMs?: number;
  /** Rows handed over per turn of the event loop. */
  sliceSize?: number;
}

export class UsageRecorder {
  /**
   * A key's counters live as long as it is used: a hand-over moves the counts out and zeroes
   * them in place, and drops only what went a whole interval unused. So a busy key allocates
   * nothing, and nothing lives just long enough to burden the old generation of the heap.
   */
  private readonly tallies = new Map<number, KeyTally>();
  private readonly writes: WriteBehind<string, UsageRow>;
  private readonly sliceSize: number;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private handing: Promise<void> | undefined;

  constructor(uow: TxRunner<StoreTx>, opts: UsageRecorderOptions = {}) {
    this.intervalMs = opts.intervalMs ?? 1000;
    this.sliceSize = opts.sliceSize ?? 5 * DEFAULT_CHUNK;
    this.writes = new WriteBehind<string, UsageRow>({
      delayMs: 50,
      chunkSize: opts.chunkSize,
      retryMs: opts.retryMs,
      onError: opts.onError,
      merge: sumRows,
      write: (chunk) =>
        uow.run((tx) => tx.usageLog.add(chunk.values()), { quiet: true, background: true }),
    });
  }

  start(): void {
    this.timer = setInterval(() => void this.handOver(), this.intervalMs);
    this.timer.unref();
  }

  /**
   * One verification of a valid key: `check` is what it was asked (none: its grants were
   * listed), `grant` the grant that allowed it (null: refused, or no check).
   */
  record(
    keyId: number,
    at: Date,
    check: { nickname: string; api: ApiId } | undefined,
    grant: GrantCell | null,
  ): void {
    const day = Math.floor(at.getTime() / DAY_MS);
    let t = this.tallies.get(keyId);
    if (t === undefined) {
      t = { keyId, day, calls: 0, refused: 0, checks: undefined };
      this.tallies.set(keyId, t);
    } else if (t.day !== day) {
      // Midnight passed (once a day per key): the counts so far belong to the day before.
      this.handRows(t);
      t.day = day;
    }
    t.calls++;
    if (check === undefined) return;
    if (grant === null) {
      t.refused++;
      return;
    }
    t.checks ??= new Map();
    let slots = t.checks.get(check.nickname);
    if (slots === undefined) {
      slots = new Array<number>(SLOTS).fill(0);
      t.checks.set(check.nickname, slots);
    }
    const slot =
      API_INDEX[check.api] * 4 +
      (grant.api === check.api ? 0 : 2) +
      (grant.scope === ALL_ACCOUNTS ? 1 : 0);
    slots[slot] = (slots[slot] as number) + 1;
  }

  /** Keys with counts in memory, and rows waiting to be written. */
  get waiting(): number {
    let counting = 0;
    for (const t of this.tallies.values()) if (t.calls > 0) counting++;
    return counting + this.writes.waiting;
  }

  /** Hands everything over and writes it; false when some could not be written yet (kept). */
  async flush(): Promise<boolean> {
    await this.handOver();
    return this.writes.flush();
  }

  async stop(): Promise<boolean> {
    clearInterval(this.timer);
    await this.handOver();
    return this.writes.stop();
  }

  /** Moves the counters into the write-behind as rows, about a slice per turn of the loop. */
  private handOver(): Promise<void> {
    this.handing ??= this.moveRows().finally(() => {
      this.handing = undefined;
    });
    return this.handing;
  }

  private async moveRows(): Promise<void> {
    let moved = 0;
    // The map is live: keys first used meanwhile are visited too, dropped ones skipped.
    for (const [keyId, t] of this.tallies) {
      if (t.calls === 0) {
        this.tallies.delete(keyId);
        continue;
      }
      moved += this.handRows(t);
      if (moved >= this.sliceSize) {
        moved = 0;
        await yieldToLoop();
      }
    }
  }

  /** One key's counts as rows to the write-behind, its counters zeroed; how many rows. */
  private handRows(t: KeyTally): number {
    if (t.calls === 0) return 0;
    const { keyId, day } = t;
    const key: UsageRow = { kind: "key", keyId, day, calls: t.calls, refused: t.refused };
    this.writes.record(rowKey(key), key);
    t.calls = 0;
    t.refused = 0;
    let rows = 1;
    if (!t.checks) return rows;
    for (const [nickname, slots] of t.checks) {
      let used = false;
      for (let i = 0; i < SLOTS; i++) {
        const calls = slots[i] as number;
        if (calls === 0) continue;
        used = true;
        slots[i] = 0;
        const api = API_IDS[i >> 2] as ApiId;
        const grantApi = (i & 2 ? satisfiedBy(api).find((a) => a !== api) : api) as ApiId;
        const grantScope = i & 1 ? ALL_ACCOUNTS : nickname;
        const row: UsageRow = {
          kind: "check",
          keyId,
          day,
          nickname,
          api,
          grantScope,
          grantApi,
          calls,
        };
        this.writes.record(rowKey(row), row);
        rows++;
      }
      if (!used) t.checks.delete(nickname);
    }
    return rows;
  }
}

const rowKey = (r: UsageRow) =>
  r.kind === "key"
    ? `k|${r.keyId}|${r.day}`
    : `c|${r.keyId}|${r.day}|${r.grantScope}|${r.grantApi}|${r.nickname}|${r.api}`;

/** Counts of the same row recorded twice before it was written: added. */
function sumRows(waiting: UsageRow, newer: UsageRow): UsageRow {
  if (waiting.kind === "key" && newer.kind === "key") {
    return {
      ...waiting,
      calls: waiting.calls + newer.calls,
      refused: waiting.refused + newer.refused,
    };
  }
  return { ...waiting, calls: waiting.calls + newer.calls };
}
