import type { Ctx } from "../context.ts";
import { roleOf } from "../permissions.ts";
import type { Role, RoleAssignment } from "../types.ts";

export async function listRoles(ctx: Ctx): Promise<RoleAssignment[]> {
  return ctx.uow.run((tx) => tx.roles.list());
}

export async function getRole(ctx: Ctx, userId: string): Promise<Role> {
  return ctx.uow.run((tx) => roleOf(ctx, tx, userId));
}
