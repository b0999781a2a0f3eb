// One-line summaries of access requests and their Approve/Deny buttons (lists, the Home tab).
import type { ActionsBlock } from "@slack/types";
import { describeCell } from "../../domain/grants.ts";
import { decisionLines, decisionOf } from "../../domain/requests/decision.ts";
import { approvalBar } from "../../domain/requests/rules.ts";
import type { AccessRequest } from "../../domain/types.ts";
import { ACTION_ID } from "./ids.ts";
import { actions, button } from "./layout.ts";
import { esc, listSome, mention, mrkdwnOf, when } from "./text.ts";
import { encode, requestValue } from "./values.ts";

export const DURATION_LABEL = {
  "1h": "1 hour",
  "1d": "1 day",
  "7d": "7 days",
  "30d": "30 days",
  permanent: "permanent",
} as const;

export const STATUS_LABEL = {
  pending: ":hourglass_flowing_sand: pending",
  approved: ":white_check_mark: approved",
  denied: ":x: denied",
  expired: ":zzz: expired undecided",
  cancelled: ":heavy_multiplication_x: cancelled",
} as const;

export function requestTarget(r: AccessRequest): string {
  return r.newKey ? `a new key *${esc(r.keyName)}*` : `*${esc(r.keyName)}*`;
}

export function requestLine(r: AccessRequest): string {
  const head = `*#${r.id}* ${mention(r.requester)} → ${requestTarget(r)} · ${STATUS_LABEL[r.status]} · ${DURATION_LABEL[r.duration]} · ${when(r.createdAt)}`;
  const d = r.status === "approved" ? decisionOf(r) : null;
  let what = `asked: ${listSome(
    r.cells.map((c) => esc(describeCell(c))),
    8,
  )}`;
  if (d) {
    const lines = decisionLines(d, r.decidedBy);
    what = [
      lines.granted.length
        ? `granted: ${listSome(
            lines.granted.map((l) => mrkdwnOf(l.slice(2))),
            8,
          )}`
        : "",
      lines.notGranted.length ? `not granted: ${listSome(lines.notGranted.map(mrkdwnOf), 8)}` : "",
    ]
      .filter(Boolean)
      .join("\n");
  }
  const progress = r.status === "pending" && r.approvals.length ? `\n${approvedSoFar(r)}` : "";
  return `${head}\n${what}${progress}\n_“${esc(r.reason)}”_`;
}

/** "A, B and C" as mentions. */
export function mentions(ids: readonly string[]): string {
  const m = ids.map(mention);
  return m.length <= 1 ? (m[0] ?? "") : `${m.slice(0, -1).join(", ")} and ${m.at(-1)}`;
}

/** A pending request's approvals so far, waiting for more. */
export function approvedSoFar(r: AccessRequest, waitingFor = 1): string {
  const more =
    waitingFor === 1
      ? "needs one more account owner's approval"
      : `needs ${waitingFor} more account owners' approvals`;
  return `:ballot_box_with_check: Approved by ${mentions(r.approvals.map((a) => a.by))} — ${more}`;
}

/**
 * An owner's Approve and Deny for one request; Deny alone for whom the approval policy bars
 * from approving it (the requester, or who approved it already). `viewer` unknown: both.
 */
export function decisionButtons(
  r: AccessRequest,
  viewer?: string,
  approve = "Approve",
): ActionsBlock {
  const value = encode(requestValue, { requestId: r.id });
  const barred = viewer !== undefined && approvalBar(r, viewer) !== null;
  return actions(`req:${r.id}`, [
    ...(barred ? [] : [button(approve, ACTION_ID.approveRequest, value, "primary")]),
    button("Deny", ACTION_ID.denyRequest, value, "danger"),
  ]);
}

/** Why this viewer is offered no Approve (in their own words), or null. */
export function whyNoApprove(r: AccessRequest, viewer: string | undefined): string | null {
  if (viewer === undefined || r.status !== "pending") return null;
  const bar = approvalBar(r, viewer);
  if (!bar) return null;
  return bar.why === "own_request"
    ? "This is your own request, so another account owner has to approve it (Deny withdraws it)."
    : `You approved this ${when(bar.at)}; another account owner's approval decides it.`;
}
