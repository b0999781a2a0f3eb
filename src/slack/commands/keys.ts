// Subcommands about keys.
import { enableKey } from "../../domain/keys/enable.ts";
import { findKeyByRefOutsideTx } from "../../domain/keys/find.ts";
import { getKey, listKeys } from "../../domain/keys/queries.ts";
import { listNicknames } from "../../domain/nicknames/list.ts";
import { checkPermission } from "../../domain/permissions.ts";
import { getRole } from "../../domain/roles/list.ts";
import { keyFormModal } from "../blocks/key-form.ts";
import { keyDetailMessage, keyListMessage, PAGE_SIZE } from "../blocks/keys.ts";
import { esc } from "../blocks/text.ts";
import { openKeyModal } from "../flows/key-modals.ts";
import { openModal } from "../flows/open-modal.ts";

import type { CommandCall } from "./apikeys.ts";
import type { Command } from "./parse.ts";

export async function runKeyCommand(call: CommandCall, c: Command): Promise<boolean> {
  const { deps, respond, userId } = call;
  const now = deps.ctx.clock.now();
  switch (c.cmd) {
    case "list": {
      const [page, role] = await Promise.all([
        listKeys(deps.ctx, { text: c.text || undefined, offset: 0, limit: PAGE_SIZE }),
        getRole(deps.ctx, userId),
      ]);
      await respond({
        response_type: "ephemeral",
        ...keyListMessage({ page, role, now, text: c.text || undefined }),
      });
      return true;
    }
    case "show": {
      const [{ key, grants }, nicknames, role] = await Promise.all([
        getKey(deps.ctx, c.key),
        listNicknames(deps.ctx),
        getRole(deps.ctx, userId),
      ]);
      await respond({
        response_type: "ephemeral",
        ...keyDetailMessage({ key, grants, nicknames, role, now }),
      });
      return true;
    }
    case "create": {
      await checkPermission(deps.ctx, userId, "create");
      await openModal(deps, call.client, call.triggerId, "Create API key", async () =>
        keyFormModal({
          mode: "create",
          actor: userId,
          nicknames: await listNicknames(deps.ctx),
          meta: { c: call.channel },
        }),
      );
      return true;
    }
    case "edit":
    case "regenerate":
    case "delete":
    case "disable":
      await openKeyModal(deps, call.client, {
        verb: c.cmd,
        triggerId: call.triggerId,
        userId,
        key: c.key,
        channel: call.channel,
      });
      return true;
    case "enable": {
      const key = await findKeyByRefOutsideTx(deps.ctx, c.key);
      const enabled = await enableKey(deps.ctx, userId, { keyId: key.id });
      deps.kick();
      await respond({
        response_type: "ephemeral",
        text: `:white_check_mark: *${esc(enabled.name)}* \`${enabled.publicId}\` is enabled again.`,
      });
      return true;
    }
    default:
      return false;
  }
}
