// One-line summaries of access requests and their Approve/Deny buttons (lists, the Home tab).
import type { ActionsBlock } from "@slack/types";
import { describeCell } from "../../domain/grants.ts";
import type { AccessRequest } from "../../domain/types.ts";
import { ACTION_ID } from "./ids.ts";
import { actions, button } from "./layout.ts";
import { cut, esc, mention, when } from "./text.ts";
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
  const cells = r.cells.map(describeCell).join(", ");
  return `*#${r.id}* ${mention(r.requester)} → ${requestTarget(r)} · ${STATUS_LABEL[r.status]} · ${DURATION_LABEL[r.duration]} · ${when(r.createdAt)}\n${esc(cut(cells, 600))}\n_“${esc(cut(r.reason, 300))}”_`;
}

/** An owner's Approve and Deny for one request. */
export function decisionButtons(r: Pick<AccessRequest, "id">, approve = "Approve"): ActionsBlock {
  return actions(`req:${r.id}`, [
    button(approve, ACTION_ID.approveRequest, encode(requestValue, { requestId: r.id }), "primary"),
    button("Deny", ACTION_ID.denyRequest, encode(requestValue, { requestId: r.id }), "danger"),
  ]);
}
