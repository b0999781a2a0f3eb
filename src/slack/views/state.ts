// Reading a submitted modal: its state and private_metadata are input like any other, parsed
// with zod; a forged or garbled value is refused, never trusted.
import { z } from "zod";
import { API_IDS } from "../../domain/catalog.ts";
import { type DomainError, invalid } from "../../domain/errors.ts";
import type { GrantCell } from "../../domain/types.ts";
import { permBlock } from "../blocks/key-form.ts";

const option = z.object({ value: z.string().max(200) });
const value = z.looseObject({
  type: z.string(),
  value: z.string().max(5000).nullish(),
  selected_options: z.array(option).max(1000).nullish(),
  selected_option: option.nullish(),
  selected_user: z.string().max(40).nullish(),
  selected_date: z.string().max(20).nullish(),
});
const stateSchema = z.record(z.string().max(255), z.record(z.string().max(255), value));
export type State = z.infer<typeof stateSchema>;

export function readState(view: { state?: { values?: unknown } }): State {
  const r = stateSchema.safeParse(view.state?.values ?? {});
  if (!r.success)
    throw invalid("This form came back in a shape Keyward cannot read. Open it again.");
  return r.data;
}

const first = (state: State, block: string) => Object.values(state[block] ?? {})[0];

export const text = (s: State, block: string) => first(s, block)?.value ?? "";
export const user = (s: State, block: string) => first(s, block)?.selected_user ?? "";
export const date = (s: State, block: string) => first(s, block)?.selected_date ?? null;
export const choice = (s: State, block: string) => first(s, block)?.selected_option?.value ?? null;
export const choices = (s: State, block: string) =>
  (first(s, block)?.selected_options ?? []).map((o) => o.value);

/** The permission matrix as chosen: one input per API, its options the scopes. */
export const cells = (s: State): Array<{ scope: string; api: GrantCell["api"] }> =>
  API_IDS.flatMap((api) => choices(s, permBlock(api)).map((scope) => ({ scope, api })));

export const datePattern = /^\d{4}-\d{2}-\d{2}$/;

/** response_action errors for a domain refusal, under the input it names when the view has it. */
export function errorsFor(
  e: Pick<DomainError, "code" | "field">,
  inputBlocks: string[],
  message: string,
): Record<string, string> | null {
  const field = e.field?.replace(/^permissions\./, "perm:");
  if (field && inputBlocks.includes(field)) return { [field]: message };
  if (field === "permissions") {
    const perm = inputBlocks.find((b) => b.startsWith("perm:"));
    if (perm) return { [perm]: message };
  }
  if (e.code === "invalid" || e.code === "conflict" || e.code === "stale") {
    const firstInput = inputBlocks[0];
    if (firstInput) return { [firstInput]: message };
  }
  return null;
}
