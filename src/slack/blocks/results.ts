// Modals that close a flow: the one-time secret, a done message, an error.
import type { ModalView } from "@slack/types";
import type { ApiKey } from "../../domain/types.ts";
import { CALLBACK_ID } from "./ids.ts";
import { context, modal, section } from "./layout.ts";
import { esc, mrkdwnOf } from "./text.ts";

/**
 * The only place a secret is ever shown. It reaches Slack only as the answer to the modal
 * submission that created it, never through a Web API call, a message or a log.
 */
export function secretModal(p: {
  key: ApiKey;
  secret: string;
  title: string;
  lines?: string[];
}): ModalView {
  return modal({
    callbackId: CALLBACK_ID.done,
    title: p.title,
    close: "Done",
    blocks: [
      section(
        `*${esc(p.key.name)}* \`${p.key.publicId}\`\n*Copy this secret now. It won't be shown again.*`,
      ),
      section(`\`\`\`${p.secret}\`\`\``),
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
