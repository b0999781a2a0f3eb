// Subcommands about nicknames, roles and the audit log.
import { listAudit } from "../../domain/audit/list.ts";
import { addNickname } from "../../domain/nicknames/add.ts";
import { listNicknames } from "../../domain/nicknames/list.ts";
import { removeNickname } from "../../domain/nicknames/remove.ts";
import { may } from "../../domain/permissions.ts";
import { addRole } from "../../domain/roles/add.ts";
import { getRole, listRoles } from "../../domain/roles/list.ts";
import { removeRole } from "../../domain/roles/remove.ts";
import { auditMessage, nicknamesMessage, rolesMessage } from "../blocks/admin.ts";
import { mention } from "../blocks/text.ts";
import type { CommandCall } from "./apikeys.ts";
import type { Command } from "./parse.ts";

export const AUDIT_PAGE = 15;

export async function runAdminCommand(call: CommandCall, c: Command): Promise<boolean> {
  const { deps, respond, userId } = call;
  const now = deps.ctx.clock.now();
  const say = async (text: string) => {
    deps.kick();
    await respond({ response_type: "ephemeral", text });
  };
  switch (c.cmd) {
    case "nicknames": {
      const [nicknames, role] = await Promise.all([
        listNicknames(deps.ctx),
        getRole(deps.ctx, userId),
      ]);
      await respond({
        response_type: "ephemeral",
        ...nicknamesMessage(nicknames, may(role, "nicknames")),
      });
      return true;
    }
    case "nickname_add": {
      const n = await addNickname(deps.ctx, userId, { nickname: c.nickname, kind: c.kind });
      await say(
        `:white_check_mark: Linked \`${n.nickname}\` (${n.kind}). Keys granted *All accounts* reach it now.`,
      );
      return true;
    }
    case "nickname_remove": {
      const r = await removeNickname(deps.ctx, userId, { nickname: c.nickname });
      await say(
        `:white_check_mark: Removed \`${c.nickname}\`.${r.keysAffected ? ` ${r.keysAffected} key(s) lost their permissions on it; their owners were told.` : ""}`,
      );
      return true;
    }
    case "roles": {
      const [roles, role] = await Promise.all([listRoles(deps.ctx), getRole(deps.ctx, userId)]);
      await respond({
        response_type: "ephemeral",
        ...rolesMessage(roles, may(role, "roles"), now),
      });
      return true;
    }
    case "role_add": {
      const r = await addRole(deps.ctx, userId, { userId: c.userId, role: c.role });
      const what = c.role === "owner" ? "an account owner" : "an on-call engineer";
      await say(
        r.changed
          ? `:white_check_mark: ${mention(c.userId)} is now ${what}.`
          : `${mention(c.userId)} already is ${what}.`,
      );
      return true;
    }
    case "role_remove": {
      const r = await removeRole(deps.ctx, userId, { userId: c.userId });
      await say(
        r.changed
          ? `:white_check_mark: ${mention(c.userId)} is a member now.`
          : `${mention(c.userId)} had no role to remove.`,
      );
      return true;
    }
    case "audit": {
      const page = await listAudit(deps.ctx, userId, { keyRef: c.key, limit: AUDIT_PAGE });
      await respond({ response_type: "ephemeral", ...auditMessage(page, now, c.key) });
      return true;
    }
    default:
      return false;
  }
}
