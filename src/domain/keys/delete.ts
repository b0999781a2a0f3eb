import { recordChange } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { invalid } from "../errors.ts";
import { describeCell } from "../grants.ts";
import { requirePermission } from "../permissions.ts";
import { announceDecision } from "../requests/announce.ts";
import { quote } from "../text.ts";
import { auditKey, snapshot } from "./describe.ts";
import { loadKey } from "./load.ts";
import { assertFresh } from "./versioning.ts";

/**
 * Permanent: the key, its grants and its old secrets go; the audit log keeps the record.
 * The person must type the key's name, checked here so no crafted request can skip it.
 */
export async function deleteKey(
  ctx: Ctx,
  actor: string,
  input: { keyId: number; confirmName: string; expectedVersion?: number },
): Promise<void> {
  await ctx.uow.run(async (tx) => {
    await requirePermission(ctx, tx, actor, "delete");
    const now = ctx.clock.now();
    const key = await loadKey(tx, input.keyId);
    assertFresh(key, input.expectedVersion);
    if (input.confirmName.trim() !== key.name) {
      throw invalid(
        `Type the key's name exactly ("${quote(key.name)}") to delete it.`,
        "confirm_name",
      );
    }
    const grants = await tx.grants.forKey(key.id);
    const pending = await tx.requests.pendingForKey(key.id);
    for (const r of pending) {
      await tx.requests.decide(r.id, {
        status: "cancelled",
        by: actor,
        at: now,
        reason: "The key was deleted.",
        approvedCells: null,
      });
      await tx.audit.append({
        at: now,
        actor,
        action: "request.cancelled",
        ...auditKey(key),
        requestId: r.id,
        reason: "The key was deleted.",
      });
      await announceDecision(tx, r.id, r.requester, now);
    }
    await recordChange(tx, now, {
      event: {
        actor,
        action: "key.deleted",
        ...auditKey(key),
        diff: { before: snapshot(key, grants) },
      },
      title: "API key deleted",
      key,
      changes: [
        "Deleted permanently: every integration using this key stops working.",
        ...grants.map((g) => `− ${describeCell(g)}`),
      ],
    });
    await tx.keys.delete(key.id);
  });
}
