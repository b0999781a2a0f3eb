// Authorization, decided from the database at the moment of each action.
import type { Ctx } from "./context.ts";
import { forbidden } from "./errors.ts";
import type { Tx } from "./ports.ts";
import type { Role } from "./types.ts";

export async function roleOf(ctx: Ctx, tx: Tx, userId: string): Promise<Role> {
  const stored = await tx.roles.get(userId);
  if (stored) return stored;
  return ctx.oncallGroup?.has(userId) ? "oncall" : "member";
}

const WHO: Record<string, string> = {
  owner: "account owners",
  "owner,oncall": "account owners and on-call engineers",
};

/** Refuses unless the user holds one of the roles; `what` completes "Only … can <what>." */
export async function requireRole(
  ctx: Ctx,
  tx: Tx,
  userId: string,
  allowed: readonly Role[],
  what: string,
): Promise<Role> {
  const role = await roleOf(ctx, tx, userId);
  if (!allowed.includes(role)) {
    throw forbidden(`Only ${WHO[allowed.join(",")] ?? allowed.join(" or ")} can ${what}.`);
  }
  return role;
}
