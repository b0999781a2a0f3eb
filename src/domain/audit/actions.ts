// Every action the audit log records, as a list to search by: a family is what comes before
// the dot (`key.*`). The compiler refuses an AuditAction missing here.
import type { AuditAction } from "../types.ts";

export const AUDIT_ACTIONS = [
  "key.created",
  "key.renamed",
  "key.permissions_changed",
  "key.regenerated",
  "key.rotated_compromised",
  "key.disabled",
  "key.enabled",
  "key.deleted",
  "key.expiry_changed",
  "key.owner_changed",
  "key.revealed",
  "key.leak_detected",
  "key.left_to_expire",
  "grant.expired",
  "grant.extended",
  "grant.left_to_expire",
  "request.created",
  "request.approval_recorded",
  "request.approved",
  "request.denied",
  "request.expired",
  "request.cancelled",
  "request.escalated",
  "nickname.added",
  "nickname.removed",
  "role.added",
  "role.removed",
  "audit.exported",
] as const satisfies readonly AuditAction[];

type Unlisted = Exclude<AuditAction, (typeof AUDIT_ACTIONS)[number]>;
/** Fails to compile, naming the action, when one is added to AuditAction but not above. */
export const everyActionListed: [Unlisted] extends [never] ? true : Unlisted = true;
