import { recordChange } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { invalid } from "../errors.ts";
import { requirePermission } from "../permissions.ts";
import { userRef } from "../text.ts";
import type { StoredRole } from "../types.ts";
import { parseField, userIdSchema } from "../validation.ts";
import { lapseApprovals, lapsedLines } from "./lapse.ts";

const LABEL: Record<StoredRole, string> = { owner: "account owner", oncall: "on-call engineer" };

/** Owners make someone an owner or an on-call engineer (or switch between the two). */
export async function addRole(
  ctx: Ctx,
  actor: string,
  input: { userId: string; role: string },
): Promise<{ changed: boolean }> {
  return ctx.uow.run(async (tx) => {
    await requirePermission(ctx, tx, actor, "roles");
    const now = ctx.clock.now();
    const userId = parseField(userIdSchema, input.userId, "user");
    if (input.role !== "owner" && input.role !== "oncall") {
      throw invalid("The role must be owner or oncall.", "role");
    }
    const role: StoredRole = input.role;
    const current = await tx.roles.get(userId);
    if (current === role) return { changed: false };
    if (current === "owner") {
      const owners = await tx.roles.owners();
      if (owners.length === 1) {
        throw invalid("That is the last account owner: add another owner first.", "role");
      }
    }
    await tx.roles.set(userId, role, now, actor);
    const lapsed = current === "owner" ? await lapseApprovals(tx, userId, now) : [];
    await recordChange(tx, now, {
      event: {
        actor,
        action: "role.added",
        subject: userId,
        diff: { before: { role: current ?? "member" }, after: { role } },
      },
      title: "Role changed",
      alsoTell: [userId],
      changes: [`${userRef(userId)} is now an ${LABEL[role]}.`, ...lapsedLines(lapsed)],
    });
    return { changed: true };
  });
}
