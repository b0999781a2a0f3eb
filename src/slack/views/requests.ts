// Submissions around access requests: the request itself, a denial's reason, a reveal.
import type { App } from "@slack/bolt";
import { z } from "zod";
import { API_IDS } from "../../domain/catalog.ts";
import { DomainError, invalid } from "../../domain/errors.ts";
import { createRequest } from "../../domain/requests/create.ts";
import { denyRequest } from "../../domain/requests/decide.ts";
import { revealKey } from "../../domain/requests/reveal.ts";
import { V } from "../blocks/ids.ts";
import { permBlock } from "../blocks/key-form.ts";
import { NEW_KEY } from "../blocks/requests.ts";
import { doneModal, secretModal } from "../blocks/results.ts";
import { esc } from "../blocks/text.ts";
import type { SlackDeps } from "../deps.ts";
import { onceCtx } from "../once.ts";
import { choice, choices, readMeta, readState, text } from "./state.ts";
import { finishSubmission } from "./submit.ts";

const requestMeta = z.object({ r: z.number().int().positive() });
const channelMeta = z.object({ c: z.string().max(40).optional() });

export function registerRequestViews(app: App, deps: SlackDeps): void {
  app.view(V.request, async ({ ack, body, view }) => {
    await finishSubmission(deps, ack, view, async () => {
      readMeta(channelMeta, view.private_metadata);
      const state = readState(view);
      const picked = choice(state, "key");
      if (!picked) throw invalid("Pick a key, or “A new key”.", "key");
      const keyId = picked === NEW_KEY ? null : Number(picked.replace(/^k:/, ""));
      if (keyId !== null && (!Number.isSafeInteger(keyId) || keyId <= 0))
        throw invalid("Pick a key from the list.", "key");
      const ctx = onceCtx(deps.ctx, `${view.id}:${view.callback_id}`);
      try {
        const { request, dropped } = await createRequest(ctx, body.user.id, {
          keyId,
          newKeyName: text(state, "new_name"),
          cells: API_IDS.flatMap((api) =>
            choices(state, permBlock(api)).map((scope) => ({ scope, api })),
          ),
          duration: choice(state, "duration") ?? "",
          reason: text(state, "reason"),
        });
        const note = dropped.length
          ? `\n\nLeft out, as the key already has it: ${esc(dropped.join("; "))}.`
          : "";
        return {
          response_action: "update",
          view: doneModal(
            "Request sent",
            `:outbox_tray: Request *#${request.id}* went to the account owners. You will get a DM when one of them decides.${note}`,
          ),
        };
      } catch (e) {
        // A new key's name is checked like any key name; show it under the name field.
        if (e instanceof DomainError && e.field === "name")
          throw new DomainError(e.code, e.message, "new_name");
        throw e;
      }
    });
  });

  app.view(V.deny, async ({ ack, body, view }) => {
    await finishSubmission(deps, ack, view, async () => {
      const meta = readMeta(requestMeta, view.private_metadata);
      const state = readState(view);
      const ctx = onceCtx(deps.ctx, `${view.id}:${view.callback_id}`);
      const r = await denyRequest(ctx, body.user.id, {
        requestId: meta.r,
        reason: text(state, "reason"),
      });
      return {
        response_action: "update",
        view: doneModal(
          "Request denied",
          `:x: Denied request *#${r.id}*. The requester has been told why.`,
        ),
      };
    });
  });

  app.view(V.reveal, async ({ ack, body, view }) => {
    await finishSubmission(deps, ack, view, async () => {
      const meta = readMeta(requestMeta, view.private_metadata);
      const ctx = onceCtx(deps.ctx, `${view.id}:${view.callback_id}`);
      const { key, secret } = await revealKey(ctx, body.user.id, { requestId: meta.r });
      return {
        response_action: "update",
        view: secretModal({ key, secret, title: "Your new key" }),
      };
    });
  });
}
