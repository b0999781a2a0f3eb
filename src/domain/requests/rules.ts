// What a request may ask for, and how long an approval lasts.
import { z } from "zod";
import { ALL_ACCOUNTS, mayHold, WRITE_APIS } from "../catalog.ts";
import type { ApprovalPolicy, Ctx } from "../context.ts";
import { cellKey, permits } from "../grants.ts";
import { timeRef } from "../text.ts";
import type {
  AccessRequest,
  Approval,
  Grant,
  GrantCell,
  Nickname,
  RequestDuration,
} from "../types.ts";

const DURATIONS = ["1h", "1d", "7d", "30d", "permanent"] as const;
const DURATION_MS: Record<RequestDuration, number | null> = {
  "1h": 60 * 60 * 1000,
  "1d": 24 * 60 * 60 * 1000,
  "7d": 7 * 24 * 60 * 60 * 1000,
  "30d": 30 * 24 * 60 * 60 * 1000,
  permanent: null,
};
export const REQUEST_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const REMIND_AFTER_MS = 24 * 60 * 60 * 1000;

export const durationSchema = z.enum(DURATIONS, { error: "Pick how long you need it." });
export const requestReasonSchema = z
  .string()
  .trim()
  .min(10, "Say why you need it, in at least 10 characters.")
  .max(1000, "A reason can be at most 1,000 characters.");

/**
 * Whether the key already lets this cell through (directly, via All accounts, or implied).
 * `until`, when given: only grants lasting at least that long count (null: permanent ones), so
 * time-bound access can be asked for again for longer, and an approval replaces it.
 */
export function alreadyHeld(
  cell: GrantCell,
  held: readonly Grant[],
  nicknames: readonly Nickname[],
  now: Date,
  until?: Date | null,
): boolean {
  const grants =
    until === undefined
      ? held
      : held.filter((g) => g.expiresAt === null || (until !== null && g.expiresAt >= until));
  if (
    grants.some((g) => cellKey(g) === cellKey(cell) && (g.expiresAt === null || g.expiresAt > now))
  )
    return true;
  if (cell.scope === ALL_ACCOUNTS) {
    // All accounts is held only as All accounts (or its implication orders:write ⇒ read).
    return (
      cell.api === "orders:read" &&
      grants.some((g) => g.scope === ALL_ACCOUNTS && g.api === "orders:write")
    );
  }
  const nick = nicknames.find((n) => n.nickname === cell.scope);
  return (
    nick !== undefined &&
    mayHold(cell.api, nick.kind) &&
    permits(grants, nick.nickname, nick.kind, cell.api, now)
  );
}

export function expiryFor(duration: RequestDuration, from: Date): Date | null {
  const ms = DURATION_MS[duration];
  return ms === null ? null : new Date(from.getTime() + ms);
}

// The approval policy. A request that would add a write API needs approvals from
// `writeApprovals` different account owners; any other needs one. Each approving owner ticks
// what they approve; what is granted is what every one of them ticked (a later owner can only
// narrow it), so once no write API is left ticked, one approval is enough. Any owner's Deny
// ends the request. Nobody approves their own request, nor the same request twice.

export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = {
  writeApprovals: 2,
  escalateAfterHours: 24,
};

export const policyOf = (ctx: Pick<Ctx, "approvals">): ApprovalPolicy =>
  ctx.approvals ?? DEFAULT_APPROVAL_POLICY;

export const addsWrite = (cells: readonly GrantCell[]): boolean =>
  cells.some((c) => WRITE_APIS.includes(c.api));

/** What the approvals given so far leave to grant: what every one of them ticked. */
export function agreedCells(
  cells: readonly GrantCell[],
  approvals: readonly Approval[],
): GrantCell[] {
  return cells.filter((c) =>
    approvals.every((a) => a.cells.some((x) => cellKey(x) === cellKey(c))),
  );
}

/** Approvals needed while these cells are still to be granted. */
export function approvalsNeeded(cells: readonly GrantCell[], policy: ApprovalPolicy): number {
  return addsWrite(cells) ? Math.max(1, policy.writeApprovals) : 1;
}

/** How many more approvals a pending request waits for (0 once decided). */
export function approvalsMissing(r: AccessRequest, policy: ApprovalPolicy): number {
  if (r.status !== "pending") return 0;
  const needed = approvalsNeeded(agreedCells(r.cells, r.approvals), policy);
  return Math.max(1, needed - r.approvals.length);
}

export const OWN_REQUEST =
  "You cannot approve your own request, even as an account owner: another account owner has to. You can still deny it to withdraw it.";

/** Why someone may not approve a request whatever their role. */
export type ApprovalBar = { why: "own_request" } | { why: "approved_already"; at: Date };

/**
 * What bars this person from approving this request, or null: it is their own, or they
 * approved it already. The role is the permission table's (`decide`).
 */
export function approvalBar(r: AccessRequest, userId: string): ApprovalBar | null {
  if (r.requester === userId) return { why: "own_request" };
  const mine = r.approvals.find((a) => a.by === userId);
  return mine ? { why: "approved_already", at: mine.at } : null;
}

/** The refusal an approval barred by `bar` gets. */
export function approvalRefusal(r: AccessRequest, bar: ApprovalBar): string {
  return bar.why === "own_request"
    ? OWN_REQUEST
    : `You cannot approve request #${r.id} twice: you approved it at ${timeRef(bar.at)}. It needs another account owner's approval.`;
}
