import type { ApiId, NicknameKind, Scope } from "./catalog.ts";

export type Role = "owner" | "oncall" | "member";
export type StoredRole = Exclude<Role, "member">;

export interface Nickname {
  id: number;
  nickname: string;
  kind: NicknameKind;
  createdAt: Date;
}

export type KeyStatus = "active" | "disabled";

export interface ApiKey {
  id: number;
  publicId: string;
  name: string;
  keyOwner: string;
  status: KeyStatus;
  /** False for a key from an approved request whose secret has not been revealed yet. */
  hasSecret: boolean;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  regeneratedAt: Date | null;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  version: number;
  /**
   * A new secret waiting for the key owner to reveal it, once, in their own modal: who asked
   * for it and when. Until then the key has no current secret. Null when nothing waits.
   */
  handover: { by: string; at: Date } | null;
}

/** One cell of the permission matrix: an API for a nickname or for All accounts. */
export interface GrantCell {
  scope: Scope;
  api: ApiId;
}

export interface Grant extends GrantCell {
  expiresAt: Date | null;
  requestId: number | null;
}

export interface KeyWithGrants {
  key: ApiKey;
  grants: Grant[];
}

export interface RoleAssignment {
  userId: string;
  role: StoredRole;
  addedAt: Date;
  addedBy: string;
}

export type AuditAction =
  | "key.created"
  | "key.renamed"
  | "key.permissions_changed"
  | "key.regenerated"
  | "key.rotated_compromised"
  | "key.disabled"
  | "key.enabled"
  | "key.deleted"
  | "key.expiry_changed"
  | "key.owner_changed"
  | "key.revealed"
  | "key.leak_detected"
  | "key.left_to_expire"
  | "grant.expired"
  | "grant.extended"
  | "grant.left_to_expire"
  | "request.created"
  | "request.approval_recorded"
  | "request.approved"
  | "request.denied"
  | "request.expired"
  | "request.cancelled"
  | "request.escalated"
  | "nickname.added"
  | "nickname.removed"
  | "role.added"
  | "role.removed"
  | "audit.exported";

export interface AuditEvent {
  id: number;
  at: Date;
  actor: string;
  action: AuditAction;
  keyId: number | null;
  keyName: string | null;
  keyPublicId: string | null;
  requestId: number | null;
  subject: string | null;
  reason: string | null;
  diff: AuditDiff | null;
}

export interface AuditDiff {
  before?: unknown;
  after?: unknown;
  /** Human-readable lines, the same the notifications show. */
  changes?: string[];
}

export type RequestDuration = "1h" | "1d" | "7d" | "30d" | "permanent";
export type RequestStatus = "pending" | "approved" | "denied" | "expired" | "cancelled";

export interface AccessRequest {
  id: number;
  requester: string;
  keyId: number | null;
  keyName: string;
  newKey: boolean;
  cells: GrantCell[];
  duration: RequestDuration;
  reason: string;
  status: RequestStatus;
  createdAt: Date;
  expiresAt: Date;
  remindedAt: Date | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  /** What an approval granted (as decided: cells the key already had are not in it). */
  approvedCells: GrantCell[] | null;
  /** When an approval's grants end, as decided; null for permanent (or no approval). */
  grantsExpireAt: Date | null;
  /** What was asked and not granted, and why; null before a decision. */
  notGranted: NotGranted[] | null;
  revealedAt: Date | null;
  /**
   * Owners' approvals so far, oldest first: one while a request that needs two waits for the
   * second; every approval that made the decision once it is approved.
   */
  approvals: Approval[];
  /** When on-call were told it was waiting too long (once); null until then. */
  escalatedAt: Date | null;
}

/** One account owner's approval: who, when, and the permissions they left ticked. */
export interface Approval {
  by: string;
  at: Date;
  cells: GrantCell[];
}

/**
 * Why an asked cell was not granted: the deciding owner left it unticked; it became
 * impossible (the nickname was removed, or may not hold the API); the key already had it.
 */
export type NotGrantedWhy = "declined" | "unavailable" | "already_held";
export interface NotGranted extends GrantCell {
  why: NotGrantedWhy;
  /** declined: the owner who left it unticked, when it was not the one who decided. */
  by?: string;
}
