// Small Block Kit pieces shared by the builders.
import { cut, md, plain } from "./text.ts";

export type Block = Record<string, unknown>;

export const divider = (): Block => ({ type: "divider" });
export const header = (text: string): Block => ({ type: "header", text: plain(text, 150) });
export const section = (text: string, extra: Block = {}): Block => ({
  type: "section",
  text: md(text),
  ...extra,
});
export const context = (...texts: string[]): Block => ({
  type: "context",
  elements: texts.slice(0, 10).map((t) => md(t)),
});

export function button(
  text: string,
  actionId: string,
  value: string,
  extra: { style?: "primary" | "danger"; confirm?: Block } = {},
): Block {
  return { type: "button", text: plain(text, 75), action_id: actionId, value, ...extra };
}

export function confirmDialog(
  title: string,
  text: string,
  confirm: string,
  deny = "Cancel",
): Block {
  return {
    title: plain(title, 100),
    text: md(cut(text, 300), 300),
    confirm: plain(confirm, 30),
    deny: plain(deny, 30),
  };
}

export const option = (text: string, value: string) => ({ text: plain(text, 75), value });

/**
 * Lines packed into as few sections as fit (3000 characters each), at most `maxBlocks`;
 * what does not fit is counted in a last line, so a view never passes Slack's limits.
 */
export function packLines(
  lines: string[],
  maxBlocks: number,
  more = (n: number) => `…and ${n} more`,
): Block[] {
  const blocks: Block[] = [];
  let current = "";
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    const next = current ? `${current}\n${line}` : line;
    if (next.length <= 2900) {
      current = next;
      continue;
    }
    if (blocks.length + 1 >= maxBlocks) break;
    blocks.push(section(current));
    current = line.slice(0, 2900);
  }
  if (i < lines.length) {
    current = `${current}\n${more(lines.length - i)}`.slice(0, 3000);
  }
  if (current) blocks.push(section(current));
  return blocks;
}

export interface ModalParts {
  callbackId: string;
  title: string;
  blocks: Block[];
  submit?: string;
  close?: string;
  privateMetadata?: string;
  notifyOnClose?: boolean;
}

export function modal(p: ModalParts): Block {
  return {
    type: "modal",
    callback_id: p.callbackId,
    title: plain(p.title, 24),
    ...(p.submit ? { submit: plain(p.submit, 24) } : {}),
    close: plain(p.close ?? (p.submit ? "Cancel" : "Close"), 24),
    blocks: p.blocks,
    ...(p.privateMetadata ? { private_metadata: p.privateMetadata } : {}),
    ...(p.notifyOnClose ? { notify_on_close: true } : {}),
  };
}
