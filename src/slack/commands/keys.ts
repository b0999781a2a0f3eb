// Subcommands about keys: list, show, create, enable, and the verbs that open a key's modal.
import { enableKey } from "../../domain/keys/enable.ts";
import { getKey } from "../../domain/keys/queries.ts";
import { enabledText } from "../blocks/keys.ts";
import { keyList } from "../flows/key-list.ts";
import { keyDetail, openCreateModal, openKeyModal, openKeyPicker } from "../flows/modals.ts";
import type { Handler } from "./call.ts";

export const list: Handler<"list"> = async ({ deps, userId, reply }, { text }) => {
  await reply(await keyList(deps, userId, text, 0));
};

export const show: Handler<"show"> = async (call, { key: ref }) => {
  if (ref === undefined) return openKeyPicker(call, "show");
  await call.reply(await keyDetail(call.deps, call.userId, ref));
};

export const create: Handler<"create"> = (call) => openCreateModal(call);

/** edit, regenerate, rotate, disable, delete: each opens the key's modal for that verb. */
export const openVerbModal: Handler<"edit" | "regenerate" | "rotate" | "disable" | "delete"> = (
  call,
  { cmd, key },
) => (key === undefined ? openKeyPicker(call, cmd) : openKeyModal(call, cmd, key));

export const enable: Handler<"enable"> = async (call, { key: ref }) => {
  const { deps, userId, reply } = call;
  if (ref === undefined) return openKeyPicker(call, "enable");
  const { key } = await getKey(deps.ctx, ref);
  const enabled = await enableKey(deps.ctx, userId, { keyId: key.id });
  await reply(enabledText(enabled));
};
