// Opening the modal of a key's verb, from a command, the Actions menu, a digest or a leak
// warning alike. Who may open what is checked here from the database (the permission table),
// and again by the use case on submit.
import type { ModalView } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { disableNeedsReason } from "../../domain/keys/disable.ts";
import { getKey } from "../../domain/keys/queries.ts";
import { listNicknames } from "../../domain/nicknames/list.ts";
import { checkPermission } from "../../domain/permissions.ts";
import type { Role } from "../../domain/types.ts";
import { deleteModal, disableModal, regenerateModal } from "../blocks/confirm.ts";
import { keyFormModal } from "../blocks/key-form.ts";
import { quickViewModal } from "../blocks/keys.ts";
import { rotateModal } from "../blocks/oncall.ts";
import type { SlackDeps } from "../deps.ts";
import { openModal } from "./open-modal.ts";

export type ModalVerb = "quickview" | "edit" | "regenerate" | "rotate" | "delete" | "disable";

interface Opening {
  userId: string;
  key: string | number;
  channel?: string;
}

type Build = (
  deps: SlackDeps,
  p: Opening,
  role: Role,
  k: Awaited<ReturnType<typeof getKey>>,
) => Promise<ModalView> | ModalView;

const metaOf = (p: Opening, k: { key: { id: number; version: number } }) => ({
  k: k.key.id,
  v: k.key.version,
  ...(p.channel ? { c: p.channel } : {}),
});

const MODALS: Record<ModalVerb, { title: string; build: Build }> = {
  quickview: {
    title: "Quick view",
    build: async (deps, _p, _role, { key, grants }) =>
      quickViewModal({
        key,
        grants,
        nicknames: await listNicknames(deps.ctx),
        now: deps.ctx.clock.now(),
      }),
  },
  edit: {
    title: "Edit API key",
    build: async (deps, p, _role, k) =>
      keyFormModal({
        mode: "edit",
        actor: p.userId,
        key: k.key,
        grants: k.grants,
        nicknames: await listNicknames(deps.ctx),
        meta: metaOf(p, k),
      }),
  },
  regenerate: {
    title: "Regenerate API key",
    build: (deps, p, _role, k) =>
      regenerateModal({ ...k, now: deps.ctx.clock.now(), meta: metaOf(p, k) }),
  },
  rotate: {
    title: "Rotate compromised key",
    build: (deps, p, _role, k) =>
      rotateModal({ ...k, now: deps.ctx.clock.now(), meta: metaOf(p, k) }),
  },
  delete: {
    title: "Delete API key",
    build: (deps, p, _role, k) =>
      deleteModal({ ...k, now: deps.ctx.clock.now(), meta: metaOf(p, k) }),
  },
  disable: {
    title: "Disable API key",
    build: (deps, p, role, k) =>
      disableModal({
        ...k,
        now: deps.ctx.clock.now(),
        meta: metaOf(p, k),
        reasonRequired: disableNeedsReason(role),
      }),
  },
};

export async function openKeyModal(
  deps: SlackDeps,
  client: WebClient,
  p: Opening & { verb: ModalVerb; triggerId: string },
): Promise<void> {
  const modal = MODALS[p.verb];
  await openModal(deps, client, p.triggerId, modal.title, async () => {
    // The role first: a refusal must not tell which keys exist.
    const role = await checkPermission(
      deps.ctx,
      p.userId,
      p.verb === "quickview" ? "view" : p.verb,
    );
    return modal.build(deps, p, role, await getKey(deps.ctx, p.key));
  });
}
