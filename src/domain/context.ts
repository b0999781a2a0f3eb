import type { Clock } from "./clock.ts";
import type { KeyScanner } from "./oncall/key-scan.ts";
import type { UnitOfWork } from "./ports.ts";

/** What every use case runs with. */
export interface Ctx {
  uow: UnitOfWork;
  clock: Clock;
  /** The longest a key may live, from create or edit on (MAX_KEY_LIFETIME_DAYS); none if unset. */
  maxKeyLifetimeDays?: number;
  /**
   * Members of the on-call Slack user group, as last read successfully. Consulted only for
   * people without a stored role; a failed or stale read answers false, so it never grants.
   */
  oncallGroup?: {
    has(userId: string): boolean;
    /** Everyone in the group, as last read; nobody when that read is too old to trust. */
    members(): string[];
  };
  /** The approval policy (WRITE_APPROVALS, ESCALATE_AFTER_HOURS); the defaults when absent. */
  approvals?: ApprovalPolicy;
  /** Where the digest's pass over every key runs; on the caller's thread when absent. */
  keyScanner?: KeyScanner;
}

export interface ApprovalPolicy {
  /** Different account owners' approvals a request adding a write API needs (1: one, as any). */
  writeApprovals: number;
  /** Hours a request may wait before on-call are told (0: never). */
  escalateAfterHours: number;
}
