// Submissions around access requests: the request itself, a denial's reason, a reveal.
import type { App } from "@slack/bolt";
import { createRequest } from "../../domain/requests/create.ts";
import { denyRequest } from "../../domain/requests/decide.ts";
import { revealKey } from "../../domain/requests/reveal.ts";
import { CALLBACK_ID } from "../blocks/ids.ts";
import { doneModal, secretModal } from "../blocks/results.ts";
import { esc } from "../blocks/text.ts";
import { decode, keyChoiceValue, noMeta, requestMeta } from "../blocks/values.ts";
import type { SlackDeps } from "../deps.ts";
import { cells, choice, text } from "./state.ts";
import { onSubmit } from "./submission.ts";

export function registerRequestViews(app: App, deps: SlackDeps): void {
  onSubmit(app, deps, CALLBACK_ID.requestAccess, {
    meta: noMeta,
    // A new key's name is checked like any key name; it shows under this form's name field.
    fields: { name: "new_name" },
    submit: async ({ state, ctx, userId }) => {
      const picked = choice(state, "key");
      const chosen = picked
        ? decode(keyChoiceValue, picked, "Pick a key from the list.", "key")
        : undefined;
      const { request, dropped } = await createRequest(ctx, userId, {
        keyId: chosen === undefined ? undefined : "keyId" in chosen ? chosen.keyId : null,
        newKeyName: text(state, "new_name"),
        cells: cells(state),
        duration: choice(state, "duration") ?? "",
        reason: text(state, "reason"),
      });
      const note = dropped.length
        ? `\n\nLeft out, as the key already has it: ${esc(dropped.join("; "))}.`
        : "";
      return doneModal(
        "Request sent",
        `:outbox_tray: Request *#${request.id}* went to the account owners. You will get a DM when one of them decides.${note}`,
      );
    },
  });

  onSubmit(app, deps, CALLBACK_ID.denyRequest, {
    meta: requestMeta,
    submit: async ({ meta, state, ctx, userId }) => {
      const r = await denyRequest(ctx, userId, {
        requestId: meta.requestId,
        reason: text(state, "reason"),
      });
      return doneModal(
        "Request denied",
        `:x: Denied request *#${r.id}*. The requester has been told why.`,
      );
    },
  });

  onSubmit(app, deps, CALLBACK_ID.revealKey, {
    meta: requestMeta,
    submit: async ({ meta, ctx, userId }) => {
      const { key, secret } = await revealKey(ctx, userId, { requestId: meta.requestId });
      return secretModal({ key, secret, title: "Your new key" });
    },
  });
}
