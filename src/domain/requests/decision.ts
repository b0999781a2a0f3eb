// What a decided request says, read from the decision as it was recorded (never recomputed
// from the key as it is now): what was granted and until when, what was not and why. Owners'
// cards, the requester's DM, the key's change DM, lists and the Home tab all say it this way.
import { cellKey, describeCell } from "../grants.ts";
import { timeRef, userRef } from "../text.ts";
import type { AccessRequest, GrantCell, NotGranted, NotGrantedWhy } from "../types.ts";
import { expiryFor } from "./rules.ts";

export interface Decision {
  granted: GrantCell[];
  /** When the granted cells end; null for permanent. */
  until: Date | null;
  notGranted: NotGranted[];
}

/** The decision of a request that is no longer pending; null while it is. */
export function decisionOf(r: AccessRequest): Decision | null {
  if (r.status === "pending") return null;
  if (r.status !== "approved") {
    return { granted: [], until: null, notGranted: [] };
  }
  const granted = r.approvedCells ?? [];
  // Requests decided before the decision was recorded whole: what was not granted is what
  // was asked less what was, reason unknown; the end is the one the grants were given.
  const given = new Set(granted.map(cellKey));
  const notGranted =
    r.notGranted ??
    r.cells.filter((c) => !given.has(cellKey(c))).map((c) => ({ ...c, why: "declined" as const }));
  const until =
    r.notGranted !== null || !r.decidedAt ? r.grantsExpireAt : expiryFor(r.duration, r.decidedAt);
  return { granted, until, notGranted };
}

const WHY: Record<NotGrantedWhy, (decidedBy: string | null) => string> = {
  declined: (by) => (by ? `left unticked by ${userRef(by)}` : "not approved"),
  unavailable: () => "the nickname is no longer linked",
  already_held: () => "the key already had it",
};

export const grantedLine = (c: GrantCell, until: Date | null) =>
  `+ ${describeCell(c)} ${until ? `until ${timeRef(until)}` : "(permanent)"}`;

export const notGrantedLine = (n: NotGranted, decidedBy: string | null) =>
  `${describeCell(n)} — ${WHY[n.why](n.by ?? decidedBy)}`;

/** The decision in lines: each granted cell with its end, then each refused one with why. */
export function decisionLines(
  d: Decision,
  decidedBy: string | null,
): {
  granted: string[];
  notGranted: string[];
} {
  return {
    granted: d.granted.map((c) => grantedLine(c, d.until)),
    notGranted: d.notGranted.map((n) => notGrantedLine(n, decidedBy)),
  };
}
