import type { WebClient } from "@slack/web-api";
import { getKey } from "../../domain/keys/queries.ts";
import { checkPermission } from "../../domain/permissions.ts";
import { rotateModal } from "../blocks/oncall.ts";
import type { SlackDeps } from "../deps.ts";
import { openModal } from "./open-modal.ts";

/** The compromised-key modal, for owners and on-call engineers. */
export async function openRotateModal(
  deps: SlackDeps,
  client: WebClient,
  p: { triggerId: string; userId: string; key: string | number; channel?: string },
): Promise<void> {
  await openModal(deps, client, p.triggerId, "Rotate compromised key", async () => {
    await checkPermission(deps.ctx, p.userId, "rotate");
    const { key, grants } = await getKey(deps.ctx, p.key);
    const meta = { k: key.id, v: key.version, ...(p.channel ? { c: p.channel } : {}) };
    return rotateModal({ key, grants, now: deps.ctx.clock.now(), meta });
  });
}
