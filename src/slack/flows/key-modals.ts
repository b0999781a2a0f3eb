// Opening the modals of a key's verbs, from a command or from the Actions menu alike. Who may
// open what is checked here from the database, and again by the use case on submit.
import type { ModalView } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { forbidden } from "../../domain/errors.ts";
import { getKey } from "../../domain/keys/queries.ts";
import { listNicknames } from "../../domain/nicknames/list.ts";
import { getRole } from "../../domain/roles/list.ts";
import type { Role } from "../../domain/types.ts";
import { deleteModal, disableModal, regenerateModal } from "../blocks/confirm.ts";
import { keyFormModal } from "../blocks/key-form.ts";
import { quickViewModal } from "../blocks/keys.ts";
import type { SlackDeps } from "../deps.ts";
import { openModal } from "./open-modal.ts";

export type ModalVerb = "quickview" | "edit" | "regenerate" | "delete" | "disable";

const WHO: Record<Exclude<ModalVerb, "quickview">, { roles: Role[]; refusal: string }> = {
  edit: { roles: ["owner"], refusal: "Only account owners can edit keys." },
  regenerate: {
    roles: ["owner"],
    refusal:
      "Only account owners can regenerate keys. On-call engineers can use `/apikeys rotate` for a compromised key.",
  },
  delete: { roles: ["owner"], refusal: "Only account owners can delete keys." },
  disable: {
    roles: ["owner", "oncall"],
    refusal: "Only account owners and on-call engineers can disable keys.",
  },
};

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
  const role = await getRole(deps.ctx, p.userId);
  if (p.verb !== "quickview" && !WHO[p.verb].roles.includes(role))
    throw forbidden(WHO[p.verb].refusal);
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
      view = disableModal({ key, grants, now, meta, reasonRequired: role !== "owner" });
      break;
  }
  return view;
}
