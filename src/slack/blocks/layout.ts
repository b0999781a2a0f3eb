// Small Block Kit pieces shared by the builders, typed with Slack's own Block Kit types so a
// block Slack would refuse does not compile.
import type {
  ActionsBlock,
  ActionsBlockElement,
  Button,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  KnownBlock,
  ModalView,
  PlainTextOption,
  SectionBlock,
  SectionBlockAccessory,
} from "@slack/types";
import { md, plain } from "./text.ts";

/** A message as the builders make it: blocks, and the text notifications and screen readers use. */
export interface Message {
  text: string;
  blocks: KnownBlock[];
}

export const divider = (): DividerBlock => ({ type: "divider" });
export const header = (text: string): HeaderBlock => ({ type: "header", text: plain(text, 150) });
export const section = (text: string, accessory?: SectionBlockAccessory): SectionBlock => ({
  type: "section",
  text: md(text),
  ...(accessory ? { accessory } : {}),
});
export const context = (...texts: string[]): ContextBlock => ({
  type: "context",
  elements: texts.slice(0, 10).map((t) => md(t)),
});
export const actions = (blockId: string, elements: ActionsBlockElement[]): ActionsBlock => ({
  type: "actions",
  block_id: blockId,
  elements,
});

export function button(
  text: string,
  actionId: string,
  value: string,
  style?: "primary" | "danger",
): Button {
  return {
    type: "button",
    text: plain(text, 75),
    action_id: actionId,
    value,
    ...(style && { style }),
  };
}

export const option = (text: string, value: string): PlainTextOption => ({
  text: plain(text, 75),
  value,
});

/**
 * Lines packed into as few sections as fit (3000 characters each), at most `maxBlocks`;
 * what does not fit is counted in a last line, so a view never passes Slack's limits. A line
 * longer than a section is split across sections rather than cut.
 */
export function packLines(
  lines: string[],
  maxBlocks: number,
  more = (n: number) => `…and ${n} more`,
): SectionBlock[] {
  const MAX = 2900;
  const blocks: SectionBlock[] = [];
  let current = "";
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    const next = current ? `${current}\n${line}` : line;
    if (next.length <= MAX) {
      current = next;
      continue;
    }
    if (line.length > MAX) {
      // Too long for any section alone: split it, whole, across as many as it needs.
      const pieces = Math.ceil(line.length / MAX);
      if (blocks.length + (current ? 1 : 0) + pieces > maxBlocks) break;
      if (current) blocks.push(section(current));
      for (let p = 0; p < pieces - 1; p++) blocks.push(section(line.slice(p * MAX, (p + 1) * MAX)));
      current = line.slice((pieces - 1) * MAX);
      continue;
    }
    if (blocks.length + 1 >= maxBlocks) break;
    blocks.push(section(current));
    current = line;
  }
  if (i < lines.length) current = `${current}\n${more(lines.length - i)}`;
  if (current) blocks.push(section(current));
  return blocks;
}

export interface ModalParts {
  callbackId: string;
  title: string;
  blocks: KnownBlock[];
  submit?: string;
  close?: string;
  privateMetadata?: string;
}

export function modal(p: ModalParts): ModalView {
  return {
    type: "modal",
    callback_id: p.callbackId,
    title: plain(p.title, 24),
    ...(p.submit ? { submit: plain(p.submit, 24) } : {}),
    close: plain(p.close ?? (p.submit ? "Cancel" : "Close"), 24),
    blocks: p.blocks,
    ...(p.privateMetadata ? { private_metadata: p.privateMetadata } : {}),
  };
}
