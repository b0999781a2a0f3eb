import type { Tx } from "../ports.ts";

/** A request's fate reaches the requester, and every owner's card is redrawn. */
export async function announceDecision(
  tx: Tx,
  requestId: number,
  requester: string,
  at: Date,
): Promise<void> {
  await tx.outbox.enqueue(
    [
      {
        kind: "dm",
        recipient: requester,
        requestId,
        notice: { type: "request_outcome", requestId },
      },
      {
        kind: "card_update",
        recipient: "cards",
        requestId,
        notice: { type: "request_card", requestId },
      },
    ],
    at,
  );
}

/** An approval that waits for another: the requester hears it, every card shows it. */
export async function announceApproval(
  tx: Tx,
  requestId: number,
  requester: string,
  at: Date,
): Promise<void> {
  await tx.outbox.enqueue(
    [
      {
        kind: "dm",
        recipient: requester,
        requestId,
        notice: { type: "request_progress", requestId },
      },
      {
        kind: "card_update",
        recipient: "cards",
        requestId,
        notice: { type: "request_card", requestId },
      },
    ],
    at,
  );
}
