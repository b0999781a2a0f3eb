// Modals that close a flow: the one-time secret, a done message, an error.
import type { ModalView } from "@slack/types";
import type { ApiKey } from "../../domain/types.ts";
import { CALLBACK_ID } from "./ids.ts";
import { context, modal, section } from "./layout.ts";
import { esc, mention, mrkdwnOf } from "./text.ts";
import { keyMetaOf } from "./values.ts";

/**
 * The only place a secret is ever shown. It reaches Slack only as the answer to the modal
 * submission that created it, never through a Web API call, a message or a log.
 */
export function secretModal(p: {
  key: ApiKey;
  secret: string;
  title: string;
  lines?: string[];
  /** Who shows it: when that is not the key owner, the modal says to hand it to them. */
  viewer?: string;
}): ModalView {
  const handOn =
    p.viewer && p.viewer !== p.key.keyOwner
      ? [
          section(
            `:point_right: *Hand it to the key owner, ${mention(p.key.keyOwner)}*, through a secrets manager, not a chat. They have been told you hold it.`,
          ),
        ]
      : [];
  return modal({
    callbackId: CALLBACK_ID.done,
    title: p.title,
    close: "Done",
    blocks: [
      section(
        `*${esc(p.key.name)}* \`${p.key.publicId}\`\n*Copy this secret now. It won't be shown again.*`,
      ),
      section(`\`\`\`${p.secret}\`\`\``),
      ...handOn,
      ...(p.lines?.length ? [section(p.lines.map(mrkdwnOf).join("\n"))] : []),
      context("Keyward keeps only a hash of it. If it is lost, an owner can regenerate the key."),
    ],
  });
}

export function doneModal(title: string, text: string): ModalView {
  return modal({ callbackId: CALLBACK_ID.done, title, close: "Close", blocks: [section(text)] });
}

export function errorModal(text: string): ModalView {
  return modal({
    callbackId: CALLBACK_ID.done,
    title: "Keyward",
    close: "Close",
    blocks: [section(`:warning: ${text}`)],
  });
}

export function loadingModal(title: string): ModalView {
  return modal({
    callbackId: CALLBACK_ID.done,
    title,
    close: "Cancel",
    blocks: [section(":hourglass_flowing_sand: Loading…")],
  });
}

/** Before the key owner reveals a secret someone left for them: what pressing Reveal does. */
export function handoverRevealModal(key: ApiKey): ModalView {
  return modal({
    callbackId: CALLBACK_ID.revealHandover,
    title: "Reveal new secret",
    submit: "Reveal",
    privateMetadata: keyMetaOf(key),
    blocks: [
      section(`*${esc(key.name)}* \`${key.publicId}\``),
      section(
        "Its new secret is generated when you press *Reveal* and shown only once, to you. Have a safe place ready to paste it (a secrets manager, not a chat).",
      ),
    ],
  });
}

/** After regenerating or rotating for the key owner: no secret here, and what happens next. */
export function handedOverModal(key: ApiKey, lines: string[]): ModalView {
  return modal({
    callbackId: CALLBACK_ID.done,
    title: "Left for the key owner",
    close: "Done",
    blocks: [
      section(
        `*${esc(key.name)}* \`${key.publicId}\`\n:envelope: ${mention(key.keyOwner)} got a DM with *Reveal new secret*. The secret is made when they press it and shown only to them, once.`,
      ),
      section(lines.map(mrkdwnOf).join("\n")),
      context("The account owners and the key owner have been told."),
    ],
  });
}
