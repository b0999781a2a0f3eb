// What both storage backends (SQLite, PostgreSQL) provide to the rest of Keyward: the domain's
// repositories plus the delivery worker's and the replay memory's tables inside a transaction,
// the transaction runner, the verification lookup, and a way to run a job on one instance.
import type { ApiId } from "../domain/catalog.ts";
import type { VerifyLookup } from "../domain/keys/verify.ts";
import type { Notice, OutboxKind } from "../domain/notices.ts";
import type { Tx, UnitOfWork } from "../domain/ports.ts";

export interface OutboxRow {
  id: number;
  kind: OutboxKind;
  recipient: string;
  threadTs: string | null;
  requestId: number | null;
  notice: Notice;
  attempts: number;
  claimedAt: number | null;
  createdAt: number;
  /** The previous attempt may have reached Slack: look for it before sending again. */
  inDoubt: boolean;
  /** Why the previous attempt failed. */
  lastError: string | null;
  /** Consecutive final-looking refusals so far. */
  refusals: number;
  /** An audit export's uploaded file, whose sharing may have been asked of Slack. */
  uploadFileId: string | null;
}

/**
 * The delivery worker's operations. A row is claimed by one store instance (status
 * `sending`, `claimed_by`); only that instance settles it, so every settling call is a no-op
 * on a row another instance has taken over. Times are Unix milliseconds.
 */
export interface OutboxQueue {
  /** Marks up to `limit` due rows as being sent by this instance (attempt counted). */
  claimDue(now: number, limit: number): Promise<OutboxRow[]>;
  /**
   * Takes over rows that an instance which is gone (crashed, or a previous run of this
   * process) claimed and never settled: they may or may not have reached Slack.
   */
  adoptInFlight(): Promise<OutboxRow[]>;
  markSent(id: number, channel: string | null, ts: string | null, at: number): Promise<void>;
  /**
   * Due again at `at`. `inDoubt`: the attempt may have reached Slack. `refused`: Slack refused
   * it in a way that would be final, counted until the refusal is believed.
   */
  retryAt(
    id: number,
    at: number,
    why: { error: string; inDoubt: boolean; refused?: boolean },
  ): Promise<void>;
  /** Returns a claimed row unattempted (the attempt is not counted, nothing else changes). */
  putBack(id: number, at: number): Promise<void>;
  fail(id: number, error: string): Promise<void>;
  /**
   * Remembers the file an export uploaded, before asking Slack to share it (null: forget it,
   * to start again with a new upload). Kept across attempts and restarts.
   */
  recordUpload(id: number, fileId: string | null): Promise<void>;
  /** Delivered Approve/Deny cards of a request, to update in place, with whose each is. */
  deliveredCards(
    requestId: number,
  ): Promise<Array<{ channel: string; ts: string; recipient: string }>>;
  nextDueAt(): Promise<number | null>;
  /**
   * Since when (ms) the oldest row that is due has waited to be sent: a pending row past its
   * next attempt, or one still claimed. Rows backing off after a failure are not due. Null: none.
   */
  oldestDueAt(now: number): Promise<number | null>;
  counts(): Promise<Record<string, number>>;
}

/** Slack request signatures already accepted, to refuse replays. Times in ms. */
export interface SignatureRepo {
  /** True the first time a signature is seen. */
  claim(signature: string, at: number): Promise<boolean>;
  since(at: number): Promise<Array<{ signature: string; seenAt: number }>>;
  /** Forgets up to `limit` signatures seen before `at`; returns how many. */
  forgetBefore(at: number, limit: number): Promise<number>;
}

/** Counts the usage recorder adds to a key's day (usage-recorder.ts). */
export type UsageRow =
  | { kind: "key"; keyId: number; day: number; calls: number; refused: number }
  | {
      kind: "check";
      keyId: number;
      day: number;
      nickname: string;
      api: ApiId;
      grantScope: string;
      grantApi: ApiId;
      calls: number;
    };

/** Usage counts as they are written: added in batches, pruned by age. Days are UTC day numbers. */
export interface UsageLog {
  /** Adds these counts to the stored ones; rows of a key deleted meanwhile are dropped. */
  add(rows: Iterable<UsageRow>): Promise<void>;
  /** Deletes up to `limit` rows of days before `day`; returns how many. */
  pruneBefore(day: number, limit: number): Promise<number>;
}

/** The domain's repositories plus what the delivery worker and the HTTP layer need. */
export interface StoreTx extends Tx {
  outboxQueue: OutboxQueue;
  signatures: SignatureRepo;
  usageLog: UsageLog;
}

export interface RunOptions {
  /**
   * Bookkeeping that cannot change a verification answer or a domain rule (outbox delivery,
   * last-use times, replay memory): the verification cache survives it and no invalidation
   * is broadcast. On PostgreSQL it runs at READ COMMITTED: these statements are written for
   * concurrency (SKIP LOCKED claims, conditional and monotonic updates, insert-or-ignore).
   */
  quiet?: boolean;
  /**
   * Bookkeeping written behind (see write-behind.ts): committed without waiting for the disk
   * (a power cut may lose it, never corrupt anything) and refused at once, instead of waited
   * for, when another connection holds the write lock; the caller keeps it and tries again.
   * Either wait would happen on the event loop. On PostgreSQL:
   * `SET LOCAL synchronous_commit = off` and a short `lock_timeout`.
   */
  background?: boolean;
}

export interface StoreUnitOfWork<T extends Tx = StoreTx> extends UnitOfWork {
  run<R>(work: (tx: T) => Promise<R>, opts?: RunOptions): Promise<R>;
}

/** The verification lookup with its cache controls. */
export interface VerifyCache extends VerifyLookup {
  /** Something a verify reads may have changed: forget what is cached. */
  invalidate(): void;
  close(): void;
}

export interface StoreCommon {
  uow: StoreUnitOfWork<StoreTx>;
  verify: VerifyCache;
  /** This store instance, as recorded on the outbox rows it claims. */
  instanceId: string;
  /**
   * Runs `fn` unless another instance is running work of the same name right now (then
   * resolves undefined without running it). For time-based jobs.
   */
  exclusive<R>(name: string, fn: () => Promise<R>): Promise<R | undefined>;
  /** Resolves when the database answers a trivial query (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
