// One-line summaries of access requests and their Approve/Deny buttons (lists, the Home tab).
import type { ActionsBlock } from "@slack/types";
import { describeCell } from "../../domain/grants.ts";
import { decisionLines, decisionOf } from "../../domain/requests/decision.ts";
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
  return `${head}\n${what}\n_“${esc(r.reason)}”_`;
}

/** An owner's Approve and Deny for one request. */
export function decisionButtons(r: Pick<AccessRequest, "id">, approve = "Approve"): ActionsBlock {
  return actions(`req:${r.id}`, [
    button(approve, ACTION_ID.approveRequest, encode(requestValue, { requestId: r.id }), "primary"),
    button("Deny", ACTION_ID.denyRequest, encode(requestValue, { requestId: r.id }), "danger"),
  ]);
}
