// The modals opened from more than one place: a key's verbs (from a command, the Actions menu,
// a digest or a leak warning alike), create, and request access. Who may open what is checked
// here from the database (the permission table), and again by the use case on submit.
import type { ModalView } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { disableNeedsReason } from "../../domain/keys/disable.ts";
import { getKey } from "../../domain/keys/queries.ts";
import { listNicknames } from "../../domain/nicknames/list.ts";
import { checkPermission } from "../../domain/permissions.ts";
import type { KeyWithGrants, Role } from "../../domain/types.ts";
import { deleteModal, disableModal, regenerateModal } from "../blocks/confirm.ts";
import { keyFormModal } from "../blocks/key-form.ts";
import { quickViewModal } from "../blocks/keys.ts";
import { rotateModal } from "../blocks/oncall.ts";
import { requestModal } from "../blocks/requests.ts";
import type { SlackDeps } from "../deps.ts";
import { openModal } from "./open-modal.ts";

export type ModalVerb = "quickview" | "edit" | "regenerate" | "rotate" | "delete" | "disable";

interface Opened extends KeyWithGrants {
  deps: SlackDeps;
  userId: string;
  role: Role;
  now: Date;
}

const MODALS: Record<
  ModalVerb,
  { title: string; build(o: Opened): Promise<ModalView> | ModalView }
> = {
  quickview: {
    title: "Quick view",
    build: async (o) => quickViewModal({ ...o, nicknames: await listNicknames(o.deps.ctx) }),
  },
  edit: {
    title: "Edit API key",
    build: async (o) =>
      keyFormModal({
        mode: "edit",
        actor: o.userId,
        key: o.key,
        grants: o.grants,
        nicknames: await listNicknames(o.deps.ctx),
      }),
  },
  regenerate: { title: "Regenerate API key", build: regenerateModal },
  rotate: { title: "Rotate compromised key", build: rotateModal },
  delete: { title: "Delete API key", build: deleteModal },
  disable: {
    title: "Disable API key",
    build: (o) => disableModal({ ...o, reasonRequired: disableNeedsReason(o.role) }),
  },
};

export async function openKeyModal(
  deps: SlackDeps,
  client: WebClient,
  p: { verb: ModalVerb; triggerId: string; userId: string; key: string | number },
): Promise<void> {
  const modal = MODALS[p.verb];
  await openModal(deps, client, p.triggerId, modal.title, async () => {
    // The role first: a refusal must not tell which keys exist.
    const role = await checkPermission(
      deps.ctx,
      p.userId,
      p.verb === "quickview" ? "view" : p.verb,
    );
    const { key, grants } = await getKey(deps.ctx, p.key);
    return modal.build({ deps, userId: p.userId, role, key, grants, now: deps.ctx.clock.now() });
  });
}

/** The create modal; a refusal comes back before anything opens. */
export async function openCreateModal(
  deps: SlackDeps,
  client: WebClient,
  p: { triggerId: string; userId: string },
): Promise<void> {
  await openModal(deps, client, p.triggerId, "Create API key", async () => {
    await checkPermission(deps.ctx, p.userId, "create");
    return keyFormModal({
      mode: "create",
      actor: p.userId,
      nicknames: await listNicknames(deps.ctx),
    });
  });
}

export async function openRequestModal(
  deps: SlackDeps,
  client: WebClient,
  triggerId: string,
): Promise<void> {
  await openModal(deps, client, triggerId, "Request access", async () =>
    requestModal({ nicknames: await listNicknames(deps.ctx) }),
  );
}
