// Finding things in what the app sent, by the words people see: text, buttons, menu options.
import { optionsOf, optionText } from "../../../src/sandbox/standin/view-state.ts";
import type { Json, View } from "../../../src/sandbox/standin/workspace.ts";

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every text object's text inside some blocks, for "does it say …" assertions. */
export function textOf(blocks: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!isObj(v)) return;
    if ((v.type === "mrkdwn" || v.type === "plain_text") && typeof v.text === "string")
      out.push(v.text);
    for (const x of Object.values(v)) walk(x);
  };
  walk(blocks);
  return out.join("\n");
}

export interface Found {
  blockId: string;
  actionId: string;
  optionValue?: string;
}

/** The interactive elements of a block: an actions block's, or a section's accessory. */
const elementsOf = (b: Json): Json[] =>
  b.type === "actions"
    ? (b.elements as Json[])
    : b.type === "section" && b.accessory
      ? [b.accessory as Json]
      : [];

/** A button anywhere in these blocks, by its label. */
export function button(blocks: unknown, label: string, nth = 0): Found {
  const found: Found[] = [];
  for (const b of (Array.isArray(blocks) ? blocks : []).filter(isObj)) {
    for (const el of elementsOf(b)) {
      if (el.type === "button" && isObj(el.text) && el.text.text === label) {
        found.push({ blockId: String(b.block_id), actionId: String(el.action_id) });
      }
    }
  }
  const f = found[nth];
  if (!f) throw new Error(`no button "${label}" in: ${textOf(blocks).slice(0, 400)}`);
  return f;
}

/** The blocks from the one that mentions `near`, and the two after it. */
function near(blocks: unknown, text: string): Json[] {
  const list = (Array.isArray(blocks) ? blocks : []).filter(isObj);
  const start = list.findIndex((b) => textOf([b]).includes(text));
  if (start < 0) throw new Error(`nothing mentions "${text}"`);
  return list.slice(start, start + 3);
}

/** The menu (overflow, select) near the section that mentions `text`, and an option by label. */
export function menuOption(blocks: unknown, text: string, optionLabel: string): Found {
  for (const b of near(blocks, text)) {
    for (const el of elementsOf(b)) {
      if (el.type !== "overflow" && el.type !== "static_select") continue;
      const o = optionsOf(el).find((x) => optionText(x) === optionLabel);
      if (o)
        return {
          blockId: String(b.block_id),
          actionId: String(el.action_id),
          optionValue: String(o.value),
        };
    }
  }
  throw new Error(`no "${optionLabel}" option near "${text}"`);
}

export function buttonNear(blocks: unknown, text: string, label: string): Found {
  return button(near(blocks, text), label);
}

/** The secret shown in the one-time modal. */
export function secretIn(v: View): string {
  const m = /```(kw_[0-9A-Za-z]{46})```/.exec(textOf(v.view.blocks));
  if (!m?.[1]) throw new Error(`no secret in the modal: ${textOf(v.view.blocks).slice(0, 300)}`);
  return m[1];
}
