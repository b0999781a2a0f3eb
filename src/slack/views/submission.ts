// One way to handle every modal submission: parse what came back (private_metadata and state,
// with zod, as untrusted input), apply the change at most once, and answer with the next view,
// or put a refusal under the input it concerns.
import type { App, ViewResponseAction, ViewSubmitAction } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import type { z } from "zod";
import type { Ctx } from "../../domain/context.ts";
import { DomainError, FieldErrors } from "../../domain/errors.ts";
import { errorModal } from "../blocks/results.ts";
import { decode } from "../blocks/values.ts";
import type { SlackDeps } from "../deps.ts";
import { onceCtx } from "../once.ts";
import { fieldMessageFor, messageFor } from "../replies.ts";
import { errorsFor, readState, type State } from "./state.ts";

export interface Submission<M> {
  /** The modal's private_metadata, parsed. */
  meta: M;
  state: State;
  userId: string;
  /** The submitted view's id (stable across its submissions). */
  viewId: string;
  /** The domain context whose transaction also claims this submission: it applies once. */
  ctx: Ctx;
}

export interface Form<S extends z.ZodType> {
  meta: S;
  /** The change; the view to show next, or nothing to close the modal. */
  submit(s: Submission<z.output<S>>): Promise<ModalView | undefined>;
  /** Domain field names that this form's inputs call otherwise. */
  fields?: Record<string, string>;
}

/**
 * A modal's answer must be the acknowledgement itself (`response_action`), so submissions do
 * their (short, local) transaction before acknowledging, unlike every other listener.
 */
export function onSubmit<S extends z.ZodType>(
  app: App,
  deps: SlackDeps,
  callbackId: string,
  form: Form<S>,
): void {
  app.view<ViewSubmitAction>(callbackId, async ({ ack, body, view }) => {
    let answer: ViewResponseAction | undefined;
    try {
      const next = await form.submit({
        meta: decode(
          form.meta,
          view.private_metadata,
          "This form was changed on its way back. Open it again.",
        ),
        state: readState(view),
        userId: body.user.id,
        viewId: view.id,
        ctx: onceCtx(deps.ctx, `${view.id}:${view.callback_id}`),
      });
      deps.kick();
      answer = next && { response_action: "update", view: next };
    } catch (e) {
      answer = await refusalAnswer(deps, form, view, e);
    }
    await ack(answer);
  });
}

/**
 * A refusal as the person sees it: every field error under its own input, all at once (what
 * names no input goes under the first, the top of the form); anything else replaces the form
 * with what happened.
 */
async function refusalAnswer<S extends z.ZodType>(
  deps: SlackDeps,
  form: Form<S>,
  view: ViewSubmitAction["view"],
  e: unknown,
): Promise<ViewResponseAction> {
  const where = `view ${view.callback_id}`;
  const inputs = (view.blocks ?? []).flatMap((b) =>
    b.type === "input" ? [String(b.block_id)] : [],
  );
  const refusals = e instanceof FieldErrors ? e.errors : e instanceof DomainError ? [e] : [];
  const errors: Record<string, string> = {};
  for (const r of refusals) {
    const field = r.field && (form.fields?.[r.field] ?? r.field);
    const placed = errorsFor(
      { code: r.code, field },
      inputs,
      await fieldMessageFor(deps, r, where),
    );
    if (!placed) return { response_action: "update", view: errorModal(messageFor(deps, e, where)) };
    for (const [block, text] of Object.entries(placed)) {
      errors[block] = errors[block] ? `${errors[block]} ${text}` : text;
    }
  }
  if (refusals.length === 0)
    return { response_action: "update", view: errorModal(messageFor(deps, e, where)) };
  return { response_action: "errors", errors };
}
