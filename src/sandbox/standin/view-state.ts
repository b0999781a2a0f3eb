// How Slack fills `view.state.values`: one entry per input element, null when empty.
import type { Json, StateValue } from "./workspace.ts";

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function emptyValue(el: Json): StateValue {
  const type = String(el.type);
  switch (type) {
    case "plain_text_input":
      return { type, value: (el.initial_value as string | undefined) ?? null };
    case "checkboxes":
    case "multi_static_select":
    case "multi_external_select":
      return { type, selected_options: (el.initial_options as unknown[] | undefined) ?? [] };
    case "static_select":
    case "external_select":
    case "radio_buttons":
      return { type, selected_option: (el.initial_option as unknown) ?? null };
    case "users_select":
      return { type, selected_user: (el.initial_user as string | undefined) ?? null };
    case "datepicker":
      return { type, selected_date: (el.initial_date as string | undefined) ?? null };
    default:
      return { type };
  }
}

/** The state a freshly opened view starts with. */
export function initialValues(view: Json): Record<string, Record<string, StateValue>> {
  const values: Record<string, Record<string, StateValue>> = {};
  const blocks = Array.isArray(view.blocks) ? view.blocks : [];
  for (const b of blocks) {
    if (!isObj(b) || b.type !== "input" || !isObj(b.element)) continue;
    const blockId = String(b.block_id);
    const actionId = String(b.element.action_id ?? "input");
    values[blockId] = { [actionId]: emptyValue(b.element) };
  }
  return values;
}

/** All options of a select-like element, groups flattened. */
export function optionsOf(el: Json): Json[] {
  if (Array.isArray(el.option_groups)) {
    return el.option_groups
      .flatMap((g) => (isObj(g) && Array.isArray(g.options) ? g.options : []))
      .filter(isObj);
  }
  return (Array.isArray(el.options) ? el.options : []).filter(isObj);
}

export const optionText = (o: Json) => String(isObj(o.text) ? o.text.text : "");
