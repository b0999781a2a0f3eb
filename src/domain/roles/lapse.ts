// An owner's approvals of requests still waiting lapse with the role (removed, or made
// on-call): taken off the requests, and every card redrawn without them.
import { conflict } from "../errors.ts";
import type { Tx } from "../ports.ts";

/** The ids of the requests whose approval by `userId` lapsed. */
export async function lapseApprovals(tx: Tx, userId: string, now: Date): Promise<number[]> {
  const lapsed: number[] = [];
  for (const r of await tx.requests.pendingCreatedBefore(now)) {
    const kept = r.approvals.filter((a) => a.by !== userId);
    if (kept.length === r.approvals.length) continue;
    if (!(await tx.requests.replaceApprovals(r.id, r.approvals.length, kept)))
      throw conflict(`Request #${r.id} changed at the same moment. Try again.`);
    lapsed.push(r.id);
    await tx.outbox.enqueue(
      [
        {
          kind: "card_update",
          recipient: "cards",
          requestId: r.id,
          notice: { type: "request_card", requestId: r.id },
        },
      ],
      now,
    );
  }
  return lapsed;
}

export const lapsedLines = (ids: number[]): string[] =>
  ids.map((id) => `Their approval of request #${id}, still waiting, no longer counts.`);
