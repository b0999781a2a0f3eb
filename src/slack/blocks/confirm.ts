// Confirmations before the actions that break integrations, in the seed's words: what the
// key is, what will break (its grants), and when it was last used.
import type { InputBlock, KnownBlock, ModalView } from "@slack/types";
import { describeCell } from "../../domain/grants.ts";
import { GRACE_LABELS, GRACE_WINDOWS, type GraceWindow } from "../../domain/keys/grace.ts";
import type { ApiKey, Grant } from "../../domain/types.ts";
import { CALLBACK_ID } from "./ids.ts";
import { context, modal, option, packLines, section } from "./layout.ts";
import { esc, mention, plain, when } from "./text.ts";
import { keyMetaOf } from "./values.ts";

const REGENERATE_WARNING =
  "Regenerating an API key will break any existing integration using that API key.";
const DELETE_WARNING = "Deleting an API key is permanent and cannot be undone.";

function whatBreaks(key: ApiKey, grants: Grant[]): KnownBlock[] {
  return [
    section(`*What it can reach today* — last used ${when(key.lastUsedAt)}`),
    ...packLines(
      grants.length ? grants.map((g) => `• ${esc(describeCell(g))}`) : ["_No permissions._"],
      20,
    ),
  ];
}

function graceInput(initial: GraceWindow = "none"): InputBlock {
  const options = (Object.keys(GRACE_WINDOWS) as GraceWindow[]).map((g) =>
    option(GRACE_LABELS[g], g),
  );
  return {
    type: "input",
    block_id: "grace",
    label: plain("The old secret"),
    element: {
      type: "radio_buttons",
      action_id: "value",
      options,
      initial_option: options.find((o) => o.value === initial),
    },
  };
}

interface KeyAt {
  key: ApiKey;
  grants: Grant[];
  now: Date;
}

/**
 * Who gets the new secret, asked of anyone but the key owner: themselves now (to hand it on),
 * or the key owner, who reveals it once in their own modal. Null for the key owner.
 */
export function handToInput(key: ApiKey, actor: string): KnownBlock[] {
  if (actor === key.keyOwner) return [];
  const options = [
    option("Me, now: I hand it to the key owner", "me"),
    option("The key owner: they reveal it once, themselves", "key_owner"),
  ];
  return [
    {
      type: "input",
      block_id: "hand_to",
      label: plain("Who gets the new secret"),
      hint: plain(
        "Handed to the key owner, the secret is made only when they press Reveal new secret in their DM; until then the key has no new secret.",
      ),
      element: {
        type: "radio_buttons",
        action_id: "value",
        options,
        initial_option: options[0],
      },
    },
    context(`The key owner is ${mention(key.keyOwner)}.`),
  ];
}

export function regenerateModal(p: KeyAt & { actor: string }): ModalView {
  return modal({
    callbackId: CALLBACK_ID.regenerateKey,
    title: "Regenerate API key",
    submit: "Regenerate",
    privateMetadata: keyMetaOf(p.key),
    blocks: [
      section(`Regenerate *${esc(p.key.name)}* \`${p.key.publicId}\`?`),
      section(`:warning: *${REGENERATE_WARNING}*`),
      ...whatBreaks(p.key, p.grants),
      graceInput(),
      context("A grace window lets integrations move to the new secret before the old one stops."),
      ...handToInput(p.key, p.actor),
    ],
  });
}

export function deleteModal(p: KeyAt): ModalView {
  return modal({
    callbackId: CALLBACK_ID.deleteKey,
    title: "Delete API key",
    submit: "Delete",
    privateMetadata: keyMetaOf(p.key),
    blocks: [
      section(`Delete *${esc(p.key.name)}* \`${p.key.publicId}\`?`),
      section(`:warning: *${DELETE_WARNING}* Every integration using it stops working.`),
      ...whatBreaks(p.key, p.grants),
      {
        type: "input",
        block_id: "confirm_name",
        label: plain("Type the key's name to confirm"),
        element: {
          type: "plain_text_input",
          action_id: "value",
          placeholder: plain(p.key.name, 150),
        },
      },
      context("Prefer disabling if you might need it again: `/apikeys disable` is reversible."),
    ],
  });
}

export function disableModal(p: KeyAt & { reasonRequired: boolean }): ModalView {
  return modal({
    callbackId: CALLBACK_ID.disableKey,
    title: "Disable API key",
    submit: "Disable",
    privateMetadata: keyMetaOf(p.key),
    blocks: [
      section(
        `Disable *${esc(p.key.name)}* \`${p.key.publicId}\`? Every call with it is refused until an owner enables it again.`,
      ),
      ...whatBreaks(p.key, p.grants),
      {
        type: "input",
        block_id: "reason",
        optional: !p.reasonRequired,
        label: plain("Reason"),
        hint: plain("Up to 1,000 characters. The account owners and the key owner get it."),
        element: {
          type: "plain_text_input",
          action_id: "value",
          multiline: true,
          max_length: 1000,
        },
      },
    ],
  });
}
