import type { Ctx } from "../context.ts";
import { parseField, userIdSchema } from "../validation.ts";

export const SYSTEM_ACTOR = "keyward";

/**
 * The first owners come from configuration. Once any owner exists, owners manage roles in
 * Slack and the configuration is not consulted again (so removing someone sticks).
 */
export async function bootstrapOwners(ctx: Ctx, userIds: readonly string[]): Promise<string[]> {
  return ctx.uow.run(async (tx) => {
    if ((await tx.roles.owners()).length > 0) return [];
    const now = ctx.clock.now();
    const added: string[] = [];
    for (const raw of userIds) {
      const userId = parseField(userIdSchema, raw, "OWNER_USER_IDS");
      await tx.roles.set(userId, "owner", now, SYSTEM_ACTOR);
      await tx.audit.append({
        at: now,
        actor: SYSTEM_ACTOR,
        action: "role.added",
        subject: userId,
        reason: "Bootstrapped from OWNER_USER_IDS",
        diff: { after: { role: "owner" } },
      });
      added.push(userId);
    }
    return added;
  });
}
