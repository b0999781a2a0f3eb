// Helping with a key command that did not name one key: the picker it opens without a key, and
// "did you mean" when what was typed begins exactly one key's name.
import type { ModalView, PlainTextOption } from "@slack/types";
import type { ApiKey } from "../../domain/types.ts";
import { ACTION_ID, CALLBACK_ID, type KeyCommandVerb } from "./ids.ts";
import { actions, button, type Message, modal, option, section } from "./layout.ts";
import { esc, plain } from "./text.ts";
import { encode, keyCommandValue, keyPickMeta, keyPickValue } from "./values.ts";

export const VERB_TEXT: Record<KeyCommandVerb, string> = {
  show: "Show",
  edit: "Edit",
  regenerate: "Regenerate",
  rotate: "Rotate",
  disable: "Disable",
  enable: "Enable",
  delete: "Delete",
};

export const keyPickOption = (key: Pick<ApiKey, "id" | "name" | "publicId">): PlainTextOption =>
  option(`${key.name} (${key.publicId})`, encode(keyPickValue, { keyId: key.id }));

/** Which key? Then the command's own modal replaces this one. */
export function keyPickerModal(verb: KeyCommandVerb): ModalView {
  return modal({
    callbackId: CALLBACK_ID.keyPick,
    title: `${VERB_TEXT[verb]} a key`,
    submit: "Next",
    privateMetadata: encode(keyPickMeta, { verb }),
    blocks: [
      {
        type: "input",
        block_id: "key",
        label: plain("Key"),
        element: {
          type: "external_select",
          action_id: ACTION_ID.keyPick,
          placeholder: plain("Type a key's name or id"),
          min_query_length: 0,
        },
      },
    ],
  });
}

/** No key is called that, but exactly one begins with it: offer it, to do what was asked. */
export function keyOfferMessage(verb: KeyCommandVerb, typed: string, key: ApiKey): Message {
  return {
    text: `No key is called “${esc(typed)}”. Did you mean ${esc(key.name)}?`,
    blocks: [
      section(
        `No key is called “${esc(typed)}”. Did you mean *${esc(key.name)}* \`${key.publicId}\`?`,
      ),
      actions(`offer:${key.id}`, [
        button(
          `${VERB_TEXT[verb]} ${key.name}`,
          ACTION_ID.keySuggestion,
          encode(keyCommandValue, { verb, keyId: key.id }),
          "primary",
        ),
      ]),
    ],
  };
}
