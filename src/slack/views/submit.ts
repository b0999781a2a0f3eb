// One way to finish every modal submission: run the change once, answer with the next view,
// or put the refusal where the person will see it.
import type { AckFn, ViewResponseAction } from "@slack/bolt";
import { DomainError } from "../../domain/errors.ts";
import { errorModal } from "../blocks/results.ts";
import type { SlackDeps } from "../deps.ts";
import { fieldMessageFor } from "../replies.ts";
import { errorsFor } from "./state.ts";

type View = { id: string; callback_id: string; blocks?: unknown[] };

export function inputBlocksOf(view: View): string[] {
  return (view.blocks ?? [])
    .filter(
      (b): b is { type: string; block_id: string } =>
        typeof b === "object" && b !== null && (b as { type?: string }).type === "input",
    )
    .map((b) => b.block_id);
}

/**
 * A modal's answer must be the acknowledgement itself (`response_action`), so submissions do
 * their (short, local) transaction before acknowledging, unlike every other listener.
 */
export async function finishSubmission(
  deps: SlackDeps,
  ack: AckFn<ViewResponseAction> | AckFn<void>,
  view: View,
  work: () => Promise<ViewResponseAction | undefined>,
): Promise<void> {
  const answer = ack as (r?: ViewResponseAction) => Promise<void>;
  let response: ViewResponseAction | undefined;
  try {
    response = await work();
  } catch (e) {
    const message = await fieldMessageFor(deps, e, `view ${view.callback_id}`);
    const errors = e instanceof DomainError ? errorsFor(e, inputBlocksOf(view), message) : null;
    await answer(
      errors
        ? { response_action: "errors", errors }
        : { response_action: "update", view: errorModal(message) },
    );
    return;
  }
  deps.kick();
  await answer(response);
}
