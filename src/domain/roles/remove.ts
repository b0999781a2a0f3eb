import { recordChange } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { conflict, invalid } from "../errors.ts";
import { requirePermission } from "../permissions.ts";
import { userRef } from "../text.ts";
import { parseField, userIdSchema } from "../validation.ts";

/** Back to member. The last owner stays: an account without owners could not be managed. */
export async function removeRole(
  ctx: Ctx,
  actor: string,
  input: { userId: string },
): Promise<{ changed: boolean }> {
  return ctx.uow.run(async (tx) => {
    await requirePermission(ctx, tx, actor, "roles");
    const now = ctx.clock.now();
    const userId = parseField(userIdSchema, input.userId, "user");
    const current = await tx.roles.get(userId);
    if (!current) return { changed: false };
    if (current === "owner" && (await tx.roles.owners()).length === 1) {
      throw invalid("That is the last account owner: add another owner first.", "user");
    }
    await tx.roles.remove(userId);
    // An owner's approvals of requests still waiting lapse with the role: taken off the
    // requests, and every card redrawn without them.
    const lapsed: number[] = [];
    if (current === "owner") {
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
    }
    await recordChange(tx, now, {
      event: {
        actor,
        action: "role.removed",
        subject: userId,
        diff: { before: { role: current }, after: { role: "member" } },
      },
      title: "Role removed",
      alsoTell: [userId],
      changes: [
        `${userRef(userId)} is no longer an ${current === "owner" ? "account owner" : "on-call engineer"}.`,
        ...lapsed.map((id) => `Their approval of request #${id}, still waiting, no longer counts.`),
      ],
    });
    return { changed: true };
  });
}
