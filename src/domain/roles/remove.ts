import { recordChange } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { invalid } from "../errors.ts";
import { requirePermission } from "../permissions.ts";
import { userRef } from "../text.ts";
import { parseField, userIdSchema } from "../validation.ts";
import { lapseApprovals, lapsedLines } from "./lapse.ts";

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
    const lapsed = current === "owner" ? await lapseApprovals(tx, userId, now) : [];
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
        ...lapsedLines(lapsed),
      ],
    });
    return { changed: true };
  });
}
