// What the domain needs from storage. `store/` implements these with Drizzle, over SQLite and
// over PostgreSQL.
import type { ApiId, NicknameKind } from "./catalog.ts";
import type { OutgoingNotice } from "./notices.ts";
import type {
  AccessRequest,
  ApiKey,
  Approval,
  AuditAction,
  AuditDiff,
  AuditEvent,
  Grant,
  GrantCell,
  KeyStatus,
  Nickname,
  NotGranted,
  RequestStatus,
  RoleAssignment,
  StoredRole,
} from "./types.ts";
import type { CheckUse, GrantUse, UsageDay } from "./usage/types.ts";

export interface NicknameRepo {
  list(): Promise<Nickname[]>;
  byName(nickname: string): Promise<Nickname | undefined>;
  insert(n: { nickname: string; kind: NicknameKind; at: Date; by: string }): Promise<Nickname>;
  delete(id: number): Promise<void>;
}

export interface NewKey {
  publicId: string;
  name: string;
  keyOwner: string;
  secretHash: string | null;
  at: Date;
  by: string;
  expiresAt: Date | null;
}

export interface KeyPatch {
  name?: string;
  keyOwner?: string;
  status?: KeyStatus;
  secretHash?: string | null;
  regeneratedAt?: Date;
  expiresAt?: Date | null;
  handover?: { by: string; at: Date } | null;
}

export interface KeyListQuery {
  /** Case-insensitive substring of the name or public id. */
  text?: string;
  keyOwner?: string;
  offset: number;
  limit: number;
}

export interface KeyRepo {
  byId(id: number): Promise<ApiKey | undefined>;
  byName(name: string): Promise<ApiKey | undefined>;
  byPublicId(publicId: string): Promise<ApiKey | undefined>;
  currentSecretHash(keyId: number): Promise<string | null>;
  list(q: KeyListQuery): Promise<{ keys: ApiKey[]; total: number }>;
  all(): Promise<ApiKey[]>;
  /** Up to `limit` keys with ids above `afterId`, by id (read a large account in pages). */
  page(afterId: number, limit: number): Promise<ApiKey[]>;
  /**
   * The keys of these owners: how many there are, and the first `limit` of them by id. The
   * digest asks it about the owners who left the workspace, a chunk at a time.
   */
  ofOwners(owners: readonly string[], limit: number): Promise<{ count: number; first: ApiKey[] }>;
  insert(k: NewKey): Promise<ApiKey>;
  /** Compare-and-set on `version`: false when the key changed meanwhile (or is gone). */
  update(
    id: number,
    expectedVersion: number,
    patch: KeyPatch,
    at: Date,
    by: string,
  ): Promise<boolean>;
  delete(id: number): Promise<void>;
  retireSecret(r: {
    keyId: number;
    secretHash: string;
    at: Date;
    validUntil: Date;
    reason: "regenerated" | "rotated";
  }): Promise<void>;
  /** An old secret of some key, with when its grace window ends. */
  retiredSecret(hash: string): Promise<{ keyId: number; validUntil: Date } | undefined>;
  /** Ends every grace window of this key now (a compromise rotation kills all old secrets). */
  endGraceWindows(keyId: number, at: Date): Promise<void>;
  touchLastUsed(uses: ReadonlyMap<number, Date>): Promise<void>;
}

export interface GrantRepo {
  forKey(keyId: number): Promise<Grant[]>;
  forKeys(keyIds: number[]): Promise<Map<number, Grant[]>>;
  add(
    keyId: number,
    grants: Array<GrantCell & { expiresAt: Date | null; requestId: number | null }>,
    at: Date,
    by: string,
  ): Promise<void>;
  remove(keyId: number, cells: GrantCell[]): Promise<void>;
  /** Keys that hold a grant on this nickname specifically (not via All accounts). */
  keysOnNickname(nicknameId: number): Promise<Array<{ keyId: number; api: ApiId }>>;
  expiredAt(now: Date): Promise<Array<{ keyId: number; grant: Grant }>>;
}

export interface RoleRepo {
  get(userId: string): Promise<StoredRole | undefined>;
  list(): Promise<RoleAssignment[]>;
  set(userId: string, role: StoredRole, at: Date, by: string): Promise<void>;
  remove(userId: string): Promise<void>;
  owners(): Promise<string[]>;
}

export interface RequestRepo {
  byId(id: number): Promise<AccessRequest | undefined>;
  insert(r: Omit<AccessRequest, "id">): Promise<AccessRequest>;
  /** Moves a pending request to a decision; false when it was no longer pending. */
  decide(
    id: number,
    d: {
      status: Exclude<RequestStatus, "pending">;
      by: string;
      at: Date;
      reason: string | null;
      approvedCells: GrantCell[] | null;
      grantsExpireAt?: Date | null;
      notGranted?: NotGranted[] | null;
      keyId?: number;
      /** The approvals that made an approval (kept as they were when absent). */
      approvals?: Approval[];
    },
  ): Promise<boolean>;
  /**
   * Adds an owner's approval to a pending request that has exactly `expected` approvals so far
   * (a compare-and-set on the request's row): false when it was decided, or another approval
   * landed, meanwhile.
   */
  addApproval(id: number, expected: number, approval: Approval): Promise<boolean>;
  /** Sets a pending request's approvals, if it still has exactly `expected` (compare-and-set). */
  replaceApprovals(id: number, expected: number, approvals: Approval[]): Promise<boolean>;
  /** Pending requests asked at or before `at` whose on-call were not told yet. */
  escalationDue(at: Date): Promise<AccessRequest[]>;
  /** Records that on-call were told; false when it was already recorded (or it was decided). */
  markEscalated(id: number, at: Date): Promise<boolean>;
  list(q: { requester?: string; status?: RequestStatus; limit: number }): Promise<AccessRequest[]>;
  pendingForKey(keyId: number): Promise<AccessRequest[]>;
  pendingCreatedBefore(at: Date): Promise<AccessRequest[]>;
  expiring(now: Date): Promise<AccessRequest[]>;
  markReminded(ids: number[], at: Date): Promise<void>;
  /** Records the reveal; false when it had already been revealed. */
  markRevealed(id: number, at: Date): Promise<boolean>;
}

export interface NewAuditEvent {
  at: Date;
  actor: string;
  action: AuditAction;
  keyId?: number | null;
  keyName?: string | null;
  keyPublicId?: string | null;
  requestId?: number | null;
  subject?: string | null;
  reason?: string | null;
  diff?: AuditDiff | null;
}

/** What an audit search matches: every field given narrows it. */
export interface AuditQuery {
  /**
   * Events on one of these keys, or on no key but recorded under this name (any case) or
   * public id (a request for a key that did not exist yet).
   */
  key?: { ids: number[]; ref: string };
  actor?: string;
  actions?: readonly AuditAction[];
  /** `at` on or after. */
  since?: Date;
  /** `at` before. */
  until?: Date;
  /** Ids below (the cursor of newest-first pages). */
  beforeId?: number;
  /** Ids from (the oldest an export holds). */
  fromId?: number;
}

export interface AuditRepo {
  append(e: NewAuditEvent): Promise<void>;
  /** Newest first. `involving`: only events by this person or on these keys. */
  list(q: {
    keyId?: number;
    beforeId?: number;
    limit: number;
    involving?: { actor: string; keyIds: number[] };
  }): Promise<AuditEvent[]>;
  /** Matching events, newest first. */
  search(q: AuditQuery, limit: number): Promise<AuditEvent[]>;
  /** The ids of matching events, newest first (to count and bound before reading rows). */
  searchIds(q: AuditQuery, limit: number): Promise<number[]>;
  /** Keys whose events recorded this name (any case) or public id, deleted keys included. */
  keyIdsRecordedAs(ref: string): Promise<number[]>;
  /**
   * Events with ids above `afterId`, oldest first. Ids grow in commit order (both stores
   * guarantee it), so a reader that saw id n never later finds a new event below n.
   */
  after(q: { afterId: number; throughId?: number; limit: number }): Promise<AuditEvent[]>;
  /** The id of the `n`th event after `afterId` (of the last one, if fewer); null if none. */
  nthIdAfter(afterId: number, n: number): Promise<number | null>;
}

export interface OutboxRepo {
  enqueue(notices: OutgoingNotice[], at: Date): Promise<void>;
}

/** Replay protection for modal submissions: true the first time a view id is applied. */
export interface SubmissionRepo {
  claim(viewId: string, at: Date): Promise<boolean>;
}

/** Whether a person is still in the workspace; undefined when that cannot be told now. */
export interface PeopleDirectory {
  inWorkspace(userId: string): Promise<boolean | undefined>;
}

export interface JobRunRepo {
  lastRun(name: string): Promise<Date | undefined>;
  markRun(name: string, at: Date): Promise<void>;
}

/**
 * The verification API's usage counts (written behind by the store, read here). Days are UTC
 * day numbers (usage/days.ts).
 */
export interface UsageRepo {
  /** A key's days with any use, from `fromDay` on, oldest first. */
  days(keyId: number, fromDay: number): Promise<UsageDay[]>;
  /** A key's allowed checks from `fromDay` on, summed per nickname, API and grant. */
  checks(keyId: number, fromDay: number): Promise<CheckUse[]>;
  /** Every grant of these keys, with the last day from `fromDay` on that one used it. */
  grantUse(keyIds: number[], fromDay: number): Promise<Map<number, GrantUse[]>>;
}

export type ExpirySubject = "key" | "grants";
export type ExpiryStage = "7d" | "1d" | "let_expire" | "set";

/** One time-bound grant of an approved request, as the expiry reminders read it. */
export interface ExpiringGrant extends GrantCell {
  keyId: number;
  requestId: number;
  expiresAt: Date;
  createdAt: Date;
}

/**
 * What was done about an expiry date: reminders sent, a choice to let it pass, grants
 * extended to it. `subjectId`: a key id, or for time-bound grants the request id.
 */
export interface ExpiryRepo {
  /** Records a stage; false when that stage of that date was already recorded. */
  record(r: {
    subject: ExpirySubject;
    subjectId: number;
    expiresAt: Date;
    stage: ExpiryStage;
    at: Date;
    by: string;
  }): Promise<boolean>;
  stages(
    subject: ExpirySubject,
    subjectId: number,
    expiresAt: Date,
  ): Promise<Array<{ stage: ExpiryStage; at: Date; by: string }>>;
  /** Keys whose expiry is after `from` and no later than `until`. */
  keysExpiring(from: Date, until: Date): Promise<number[]>;
  /** Grants of approved requests ending after `from` and no later than `until`. */
  grantsExpiring(from: Date, until: Date): Promise<ExpiringGrant[]>;
  /** A request's grants on a key ending at `from` end at `to` instead; how many. */
  moveGrantExpiry(keyId: number, requestId: number, from: Date, to: Date): Promise<number>;
}

export interface Tx {
  nicknames: NicknameRepo;
  keys: KeyRepo;
  grants: GrantRepo;
  roles: RoleRepo;
  requests: RequestRepo;
  audit: AuditRepo;
  outbox: OutboxRepo;
  submissions: SubmissionRepo;
  jobRuns: JobRunRepo;
  usage: UsageRepo;
  expiries: ExpiryRepo;
}

/**
 * Runs a use case as one transaction: everything it writes through `tx` commits together or
 * not at all, with the outcome of running alone (SQLite runs transactions one at a time;
 * PostgreSQL runs them SERIALIZABLE and runs one again when it could not be serialised). So the
 * callback must not wait on anything but `tx` (no network), so that a transaction is never
 * held open across slow I/O, and must have no effect outside `tx`: it may run more than once.
 */
export interface UnitOfWork {
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}
