// Block Kit limits, from Slack's reference (LIMITS below). Slack answers `invalid_blocks` or
// `invalid_arguments` for a view or message past them; the stand-in does the same, and tests
// run every surface the app builds through here.

type Json = Record<string, unknown>;

export const LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  homeBlocks: 100,
  viewTitle: 24,
  viewSubmit: 24,
  viewClose: 24,
  privateMetadata: 3000,
  callbackId: 255,
  blockId: 255,
  actionId: 255,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  checkboxOptions: 10,
  radioOptions: 10,
  selectOptions: 100,
  optionGroups: 100,
  optionText: 75,
  optionValue: 75,
  overflowMin: 1,
  overflowMax: 5,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  plainTextInputMax: 3000,
  messageText: 40000,
} as const;

export type Surface = "message" | "modal" | "home";

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === "string" ? v : "");

function textObject(p: string[], at: string, t: unknown, max: number, plainOnly = false): void {
  if (!isObj(t)) {
    p.push(`${at}: missing text object`);
    return;
  }
  if (t.type !== "plain_text" && t.type !== "mrkdwn")
    p.push(`${at}: text type must be plain_text or mrkdwn`);
  if (plainOnly && t.type !== "plain_text") p.push(`${at}: must be plain_text`);
  const text = str(t.text);
  if (text.length === 0) p.push(`${at}: text is empty`);
  if (text.length > max) p.push(`${at}: text is ${text.length} characters, over ${max}`);
}

function option(p: string[], at: string, o: unknown): void {
  if (!isObj(o)) {
    p.push(`${at}: option is not an object`);
    return;
  }
  textObject(p, `${at}.text`, o.text, LIMITS.optionText);
  const value = str(o.value);
  if (value.length === 0) p.push(`${at}.value: empty`);
  if (value.length > LIMITS.optionValue)
    p.push(`${at}.value: ${value.length} characters, over ${LIMITS.optionValue}`);
}

function confirm(p: string[], at: string, c: unknown): void {
  if (c === undefined) return;
  if (!isObj(c)) {
    p.push(`${at}: confirm is not an object`);
    return;
  }
  textObject(p, `${at}.title`, c.title, LIMITS.confirmTitle, true);
  textObject(p, `${at}.text`, c.text, LIMITS.confirmText);
  textObject(p, `${at}.confirm`, c.confirm, LIMITS.confirmButton, true);
  textObject(p, `${at}.deny`, c.deny, LIMITS.confirmButton, true);
}

function options(p: string[], at: string, el: Json, max: number): void {
  const opts = el.options;
  const groups = el.option_groups;
  if (Array.isArray(groups)) {
    if (groups.length > LIMITS.optionGroups)
      p.push(`${at}: ${groups.length} option groups, over ${LIMITS.optionGroups}`);
    for (const [i, g] of groups.entries()) {
      if (!isObj(g)) continue;
      textObject(p, `${at}.option_groups[${i}].label`, g.label, LIMITS.optionText, true);
      const go = Array.isArray(g.options) ? g.options : [];
      if (go.length > LIMITS.selectOptions)
        p.push(`${at}.option_groups[${i}]: ${go.length} options, over ${LIMITS.selectOptions}`);
      for (const [j, o] of go.entries()) option(p, `${at}.option_groups[${i}].options[${j}]`, o);
    }
    return;
  }
  if (!Array.isArray(opts)) {
    p.push(`${at}: no options`);
    return;
  }
  if (opts.length === 0) p.push(`${at}: no options`);
  if (opts.length > max) p.push(`${at}: ${opts.length} options, over ${max}`);
  for (const [i, o] of opts.entries()) option(p, `${at}.options[${i}]`, o);
  const values = opts.filter(isObj).map((o) => o.value);
  if (new Set(values).size !== values.length) p.push(`${at}: option values repeat`);
}

function element(p: string[], at: string, el: unknown, actionIds: Set<string>): void {
  if (!isObj(el)) {
    p.push(`${at}: element is not an object`);
    return;
  }
  const id = str(el.action_id);
  if (id.length > LIMITS.actionId) p.push(`${at}.action_id: over ${LIMITS.actionId}`);
  if (id) {
    if (actionIds.has(id)) p.push(`${at}.action_id "${id}" repeats within its block`);
    actionIds.add(id);
  }
  if (el.placeholder !== undefined)
    textObject(p, `${at}.placeholder`, el.placeholder, LIMITS.placeholder, true);
  confirm(p, `${at}.confirm`, el.confirm);
  switch (el.type) {
    case "button":
      textObject(p, `${at}.text`, el.text, LIMITS.buttonText, true);
      if (str(el.value).length > LIMITS.buttonValue)
        p.push(`${at}.value: over ${LIMITS.buttonValue}`);
      if (str(el.url).length > LIMITS.url) p.push(`${at}.url: over ${LIMITS.url}`);
      if (el.style !== undefined && el.style !== "primary" && el.style !== "danger")
        p.push(`${at}.style: invalid`);
      return;
    case "overflow": {
      const n = Array.isArray(el.options) ? el.options.length : 0;
      if (n < LIMITS.overflowMin || n > LIMITS.overflowMax)
        p.push(`${at}: overflow has ${n} options (1–5)`);
      for (const [i, o] of (Array.isArray(el.options) ? el.options : []).entries()) {
        option(p, `${at}.options[${i}]`, o);
      }
      return;
    }
    case "checkboxes":
      options(p, at, el, LIMITS.checkboxOptions);
      return;
    case "radio_buttons":
      options(p, at, el, LIMITS.radioOptions);
      return;
    case "static_select":
    case "multi_static_select":
      options(p, at, el, LIMITS.selectOptions);
      return;
    case "plain_text_input":
      if (typeof el.max_length === "number" && el.max_length > LIMITS.plainTextInputMax)
        p.push(`${at}.max_length: over ${LIMITS.plainTextInputMax}`);
      return;
    case "external_select":
    case "multi_external_select":
      if (typeof el.min_query_length === "number" && el.min_query_length < 0)
        p.push(`${at}.min_query_length: negative`);
      return;
    case "users_select":
    case "multi_users_select":
    case "conversations_select":
    case "datepicker":
    case "image":
      return;
    default:
      p.push(`${at}: unknown element type ${String(el.type)}`);
  }
}

function block(p: string[], at: string, b: unknown, surface: Surface, blockIds: Set<string>): void {
  if (!isObj(b)) {
    p.push(`${at}: block is not an object`);
    return;
  }
  const id = str(b.block_id);
  if (id.length > LIMITS.blockId) p.push(`${at}.block_id: over ${LIMITS.blockId}`);
  if (id) {
    if (blockIds.has(id)) p.push(`${at}.block_id "${id}" repeats`);
    blockIds.add(id);
  }
  const actionIds = new Set<string>();
  switch (b.type) {
    case "header":
      textObject(p, `${at}.text`, b.text, LIMITS.headerText, true);
      return;
    case "divider":
      return;
    case "section": {
      if (b.text === undefined && b.fields === undefined)
        p.push(`${at}: section needs text or fields`);
      if (b.text !== undefined) textObject(p, `${at}.text`, b.text, LIMITS.sectionText);
      if (b.fields !== undefined) {
        const f = Array.isArray(b.fields) ? b.fields : [];
        if (f.length > LIMITS.sectionFields)
          p.push(`${at}.fields: ${f.length}, over ${LIMITS.sectionFields}`);
        for (const [i, x] of f.entries()) textObject(p, `${at}.fields[${i}]`, x, LIMITS.fieldText);
      }
      if (b.accessory !== undefined) element(p, `${at}.accessory`, b.accessory, actionIds);
      return;
    }
    case "context": {
      const els = Array.isArray(b.elements) ? b.elements : [];
      if (els.length === 0 || els.length > LIMITS.contextElements)
        p.push(`${at}: context has ${els.length} elements (1–10)`);
      for (const [i, e] of els.entries()) {
        if (!(isObj(e) && e.type === "image")) {
          textObject(p, `${at}.elements[${i}]`, e, LIMITS.sectionText);
        }
      }
      return;
    }
    case "actions": {
      const els = Array.isArray(b.elements) ? b.elements : [];
      if (els.length === 0 || els.length > LIMITS.actionsElements)
        p.push(`${at}: actions has ${els.length} elements (1–25)`);
      for (const [i, e] of els.entries()) element(p, `${at}.elements[${i}]`, e, actionIds);
      return;
    }
    case "input": {
      if (surface === "message") p.push(`${at}: input blocks belong in modals`);
      textObject(p, `${at}.label`, b.label, LIMITS.inputLabel, true);
      if (b.hint !== undefined) textObject(p, `${at}.hint`, b.hint, LIMITS.inputHint, true);
      if (!id) p.push(`${at}: input needs a block_id the app can read back`);
      element(p, `${at}.element`, b.element, actionIds);
      return;
    }
    default:
      p.push(`${at}: unknown block type ${String(b.type)}`);
  }
}

function checkBlocks(blocks: unknown, surface: Surface): string[] {
  const p: string[] = [];
  if (blocks === undefined) return p;
  if (!Array.isArray(blocks)) return ["blocks is not an array"];
  const max =
    surface === "message"
      ? LIMITS.messageBlocks
      : surface === "modal"
        ? LIMITS.modalBlocks
        : LIMITS.homeBlocks;
  if (blocks.length > max) p.push(`${blocks.length} blocks, over ${max} for a ${surface}`);
  const ids = new Set<string>();
  for (const [i, b] of blocks.entries()) block(p, `blocks[${i}]`, b, surface, ids);
  return p;
}

export function checkView(view: unknown): string[] {
  if (!isObj(view)) return ["view is not an object"];
  const p: string[] = [];
  if (view.type !== "modal" && view.type !== "home") return [`view type ${String(view.type)}`];
  if (view.type === "modal") {
    textObject(p, "title", view.title, LIMITS.viewTitle, true);
    if (view.submit !== undefined) textObject(p, "submit", view.submit, LIMITS.viewSubmit, true);
    if (view.close !== undefined) textObject(p, "close", view.close, LIMITS.viewClose, true);
    const hasInput =
      Array.isArray(view.blocks) && view.blocks.some((b) => isObj(b) && b.type === "input");
    if (hasInput && view.submit === undefined) p.push("a modal with inputs needs a submit button");
  }
  if (str(view.private_metadata).length > LIMITS.privateMetadata)
    p.push(`private_metadata over ${LIMITS.privateMetadata}`);
  if (str(view.callback_id).length > LIMITS.callbackId)
    p.push(`callback_id over ${LIMITS.callbackId}`);
  return [...p, ...checkBlocks(view.blocks, view.type === "modal" ? "modal" : "home")];
}

export function checkMessage(msg: { text?: unknown; blocks?: unknown }): string[] {
  const p: string[] = [];
  if (str(msg.text).length > LIMITS.messageText) p.push(`text over ${LIMITS.messageText}`);
  if (msg.text === undefined && msg.blocks === undefined) p.push("a message needs text or blocks");
  return [...p, ...checkBlocks(msg.blocks, "message")];
}
