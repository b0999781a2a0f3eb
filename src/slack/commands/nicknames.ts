// `/apikeys nicknames`, `nickname add` and `nickname remove`.
import { addNickname } from "../../domain/nicknames/add.ts";
import { listNicknames } from "../../domain/nicknames/list.ts";
import { removeNickname } from "../../domain/nicknames/remove.ts";
import { may } from "../../domain/permissions.ts";
import { getRole } from "../../domain/roles/list.ts";
import { nicknamesMessage } from "../blocks/admin.ts";
import type { Handler } from "./call.ts";

export const nicknames: Handler<"nicknames"> = async ({ deps, userId, reply }) => {
  const [all, role] = await Promise.all([listNicknames(deps.ctx), getRole(deps.ctx, userId)]);
  await reply(nicknamesMessage(all, may(role, "nicknames")));
};

export const add: Handler<"nickname_add"> = async ({ deps, userId, reply }, c) => {
  const n = await addNickname(deps.ctx, userId, { nickname: c.nickname, kind: c.kind });
  await reply(
    `:white_check_mark: Linked \`${n.nickname}\` (${n.kind}). Keys granted *All accounts* reach it now.`,
  );
};

export const remove: Handler<"nickname_remove"> = async ({ deps, userId, reply }, c) => {
  const r = await removeNickname(deps.ctx, userId, { nickname: c.nickname });
  const lost = r.keysAffected
    ? ` ${r.keysAffected} key(s) lost their permissions on it; their owners were told.`
    : "";
  await reply(`:white_check_mark: Removed \`${c.nickname}\`.${lost}`);
};
