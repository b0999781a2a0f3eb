// Opening the modals of a key's verbs, from a command or from the Actions menu alike. Who may
// open what is checked here from the database, and again by the use case on submit.
import type { ModalView } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { disableNeedsReason } from "../../domain/keys/disable.ts";
import { getKey } from "../../domain/keys/queries.ts";
import { listNicknames } from "../../domain/nicknames/list.ts";
import { checkPermission } from "../../domain/permissions.ts";
import { deleteModal, disableModal, regenerateModal } from "../blocks/confirm.ts";
import { keyFormModal } from "../blocks/key-form.ts";
import { quickViewModal } from "../blocks/keys.ts";
import type { SlackDeps } from "../deps.ts";
import { openModal } from "./open-modal.ts";

export type ModalVerb = "quickview" | "edit" | "regenerate" | "delete" | "disable";

export async function openKeyModal(
  deps: SlackDeps,
  client: WebClient,
  p: { verb: ModalVerb; triggerId: string; userId: string; key: string | number; channel?: string },
): Promise<void> {
  await openModal(deps, client, p.triggerId, TITLES[p.verb], () => buildKeyModal(deps, p));
}

const TITLES: Record<ModalVerb, string> = {
  quickview: "Quick view",
  edit: "Edit API key",
  regenerate: "Regenerate API key",
  delete: "Delete API key",
  disable: "Disable API key",
};

async function buildKeyModal(
  deps: SlackDeps,
  p: { verb: ModalVerb; userId: string; key: string | number; channel?: string },
): Promise<ModalView> {
  const role = await checkPermission(deps.ctx, p.userId, p.verb === "quickview" ? "view" : p.verb);
  const { key, grants } = await getKey(deps.ctx, p.key);
  const now = deps.ctx.clock.now();
  const meta = { k: key.id, v: key.version, ...(p.channel ? { c: p.channel } : {}) };
  let view: ModalView;
  switch (p.verb) {
    case "quickview":
      view = quickViewModal({ key, grants, nicknames: await listNicknames(deps.ctx), now });
      break;
    case "edit":
      view = keyFormModal({
        mode: "edit",
        actor: p.userId,
        key,
        grants,
        nicknames: await listNicknames(deps.ctx),
        meta,
      });
      break;
    case "regenerate":
      view = regenerateModal({ key, grants, now, meta });
      break;
    case "delete":
      view = deleteModal({ key, grants, now, meta });
      break;
    case "disable":
      view = disableModal({ key, grants, now, meta, reasonRequired: disableNeedsReason(role) });
      break;
  }
  return view;
}
