// The modals opened from more than one place: a key's verbs (from a command, the Actions menu,
// a digest or a leak warning alike), create, and request access. Who may open what is checked
// here from the database (the permission table), and again by the use case on submit.
import type { ModalView } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { disableNeedsReason } from "../../domain/keys/disable.ts";
import { enableKey } from "../../domain/keys/enable.ts";
import { getKey } from "../../domain/keys/queries.ts";
import { listNicknames } from "../../domain/nicknames/list.ts";
import { checkPermission } from "../../domain/permissions.ts";
import type { KeyWithGrants, Role } from "../../domain/types.ts";
import { keyUsage } from "../../domain/usage/summary.ts";
import { deleteModal, disableModal, regenerateModal } from "../blocks/confirm.ts";
import { CALLBACK_ID, type KeyCommandVerb } from "../blocks/ids.ts";
import { keyFormModal } from "../blocks/key-form.ts";
import { keyPickerModal } from "../blocks/key-pick.ts";
import { enabledText, keyDetailMessage, quickViewModal } from "../blocks/keys.ts";
import { modal } from "../blocks/layout.ts";
import { rotateModal } from "../blocks/oncall.ts";
import { requestModal } from "../blocks/requests.ts";
import { doneModal } from "../blocks/results.ts";
import type { ListSource } from "../blocks/values.ts";
import type { SlackDeps } from "../deps.ts";
import { openModal } from "./open-modal.ts";

export type ModalVerb = "quickview" | "edit" | "regenerate" | "rotate" | "delete" | "disable";

interface Opened extends KeyWithGrants {
  deps: SlackDeps;
  userId: string;
  role: Role;
  now: Date;
  source?: ListSource;
}

const MODALS: Record<
  ModalVerb,
  { title: string; build(o: Opened): Promise<ModalView> | ModalView }
> = {
  quickview: {
    title: "Quick view",
    build: async (o) =>
      quickViewModal({
        ...o,
        nicknames: await listNicknames(o.deps.ctx),
        usage: await keyUsage(o.deps.ctx, o.key),
      }),
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
        tz: await o.deps.people.timeZone(o.userId),
        source: o.source,
        maxLifetimeDays: o.deps.ctx.maxKeyLifetimeDays,
        now: o.now,
      }),
  },
  regenerate: {
    title: "Regenerate API key",
    build: (o) => regenerateModal({ ...o, actor: o.userId }),
  },
  rotate: { title: "Rotate compromised key", build: (o) => rotateModal({ ...o, actor: o.userId }) },
  delete: { title: "Delete API key", build: deleteModal },
  disable: {
    title: "Disable API key",
    build: (o) => disableModal({ ...o, reasonRequired: disableNeedsReason(o.role) }),
  },
};

/** Who is opening a modal, and the trigger of their click or command. */
export interface Opener {
  deps: SlackDeps;
  client: WebClient;
  triggerId: string;
  userId: string;
}

/** A key's modal for one verb, built for this person; the permission table first. */
export async function keyModal(
  deps: SlackDeps,
  userId: string,
  verb: ModalVerb,
  key: string | number,
  source?: ListSource,
): Promise<ModalView> {
  // The role first: a refusal must not tell which keys exist.
  const role = await checkPermission(deps.ctx, userId, verb === "quickview" ? "view" : verb);
  const k = await getKey(deps.ctx, key);
  return MODALS[verb].build({ deps, userId, role, ...k, now: deps.ctx.clock.now(), source });
}

export async function openKeyModal(
  o: Opener,
  verb: ModalVerb,
  key: string | number,
  source?: ListSource,
): Promise<void> {
  await openModal(o.deps, o.client, o.triggerId, MODALS[verb].title, () =>
    keyModal(o.deps, o.userId, verb, key, source),
  );
}

/** `/apikeys show`: a key's details, its permission matrix and its usage, for anyone who may see keys. */
export async function keyDetail(deps: SlackDeps, userId: string, ref: string | number) {
  const role = await checkPermission(deps.ctx, userId, "view");
  const [{ key, grants }, nicknames] = await Promise.all([
    getKey(deps.ctx, ref),
    listNicknames(deps.ctx),
  ]);
  const usage = await keyUsage(deps.ctx, key);
  return keyDetailMessage({ key, grants, nicknames, role, now: deps.ctx.clock.now(), usage });
}

/** What a key command does to a key chosen in the key picker, as the view that comes next. */
export async function keyCommandView(
  deps: SlackDeps,
  userId: string,
  verb: KeyCommandVerb,
  keyId: number,
): Promise<ModalView> {
  if (verb === "show") {
    const m = await keyDetail(deps, userId, keyId);
    return modal({ callbackId: CALLBACK_ID.done, title: "API key", blocks: m.blocks });
  }
  if (verb === "enable") {
    const key = await enableKey(deps.ctx, userId, { keyId });
    return doneModal("API key enabled", enabledText(key));
  }
  return keyModal(deps, userId, verb, keyId);
}

/** A key command without a key: the picker, once the permission table allows the command. */
export async function openKeyPicker(o: Opener, verb: KeyCommandVerb): Promise<void> {
  await openModal(o.deps, o.client, o.triggerId, "Pick a key", async () => {
    await checkPermission(o.deps.ctx, o.userId, verb === "show" ? "view" : verb);
    return keyPickerModal(verb);
  });
}

/** The create modal; a refusal comes back before anything opens. */
export async function openCreateModal({ deps, client, triggerId, userId }: Opener): Promise<void> {
  await openModal(deps, client, triggerId, "Create API key", async () => {
    await checkPermission(deps.ctx, userId, "create");
    return keyFormModal({
      mode: "create",
      actor: userId,
      nicknames: await listNicknames(deps.ctx),
      tz: await deps.people.timeZone(userId),
      maxLifetimeDays: deps.ctx.maxKeyLifetimeDays,
    });
  });
}

export async function openRequestModal({ deps, client, triggerId }: Opener): Promise<void> {
  await openModal(deps, client, triggerId, "Request access", async () =>
    requestModal({ nicknames: await listNicknames(deps.ctx) }),
  );
}
