// `/apikeys roles`, `role add` and `role remove`.
import { may } from "../../domain/permissions.ts";
import { addRole } from "../../domain/roles/add.ts";
import { getRole, listRoles } from "../../domain/roles/list.ts";
import { removeRole } from "../../domain/roles/remove.ts";
import { rolesMessage } from "../blocks/admin.ts";
import { mention } from "../blocks/text.ts";
import type { Handler } from "./call.ts";

export const roles: Handler<"roles"> = async ({ deps, userId, reply }) => {
  const [all, role] = await Promise.all([listRoles(deps.ctx), getRole(deps.ctx, userId)]);
  await reply(rolesMessage(all, may(role, "roles")));
};

export const add: Handler<"role_add"> = async ({ deps, userId, reply }, c) => {
  const r = await addRole(deps.ctx, userId, { userId: c.userId, role: c.role });
  const what = c.role === "owner" ? "an account owner" : "an on-call engineer";
  await reply(
    r.changed
      ? `:white_check_mark: ${mention(c.userId)} is now ${what}.`
      : `${mention(c.userId)} already is ${what}.`,
  );
};

export const remove: Handler<"role_remove"> = async ({ deps, userId, reply }, c) => {
  const r = await removeRole(deps.ctx, userId, { userId: c.userId });
  await reply(
    r.changed
      ? `:white_check_mark: ${mention(c.userId)} is a member now.`
      : `${mention(c.userId)} had no role to remove.`,
  );
};
