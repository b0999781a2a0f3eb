// Submissions of the key modals: create, edit, regenerate, delete, disable.
import type { App } from "@slack/bolt";
import { z } from "zod";
import { API_IDS } from "../../domain/catalog.ts";
import { invalid } from "../../domain/errors.ts";
import { createKey } from "../../domain/keys/create.ts";
import { deleteKey } from "../../domain/keys/delete.ts";
import { disableKey } from "../../domain/keys/disable.ts";
import { editKey } from "../../domain/keys/edit.ts";
import { isGraceWindow } from "../../domain/keys/grace.ts";
import { regenerateKey } from "../../domain/keys/regenerate.ts";
import { V } from "../blocks/ids.ts";
import { expiryFromDate, FIELD, permBlock } from "../blocks/key-form.ts";
import { doneModal, secretModal } from "../blocks/results.ts";
import { esc } from "../blocks/text.ts";
import type { SlackDeps } from "../deps.ts";
import { onceCtx } from "../once.ts";
import {
  choice,
  choices,
  date,
  datePattern,
  keyMetaSchema,
  readMeta,
  readState,
  type State,
  text,
  user,
} from "./state.ts";
import { finishSubmission } from "./submit.ts";

function cellsOf(state: State) {
  return API_IDS.flatMap((api) => choices(state, permBlock(api)).map((scope) => ({ scope, api })));
}

function expiryOf(state: State): Date | null {
  const d = date(state, FIELD.expires);
  if (d === null || d === "") return null;
  if (!datePattern.test(d) || Number.isNaN(Date.parse(d)))
    throw invalid("Pick a date from the calendar.", "expires");
  return expiryFromDate(d);
}

const createMeta = z.object({ c: z.string().max(40).optional() });

export function registerKeyViews(app: App, deps: SlackDeps): void {
  app.view(V.createKey, async ({ ack, body, view }) => {
    await finishSubmission(deps, ack, view, async () => {
      readMeta(createMeta, view.private_metadata);
      const state = readState(view);
      const ctx = onceCtx(deps.ctx, `${view.id}:${view.callback_id}`);
      const { key, secret } = await createKey(ctx, body.user.id, {
        name: text(state, FIELD.name),
        keyOwner: user(state, FIELD.keyOwner),
        cells: cellsOf(state),
        expiresAt: expiryOf(state),
      });
      return {
        response_action: "update",
        view: secretModal({ key, secret, title: "API key created" }),
      };
    });
  });

  app.view(V.editKey, async ({ ack, body, view }) => {
    await finishSubmission(deps, ack, view, async () => {
      const meta = readMeta(keyMetaSchema, view.private_metadata);
      const state = readState(view);
      const ctx = onceCtx(deps.ctx, `${view.id}:${view.callback_id}`);
      const r = await editKey(ctx, body.user.id, {
        keyId: meta.k,
        expectedVersion: meta.v,
        name: text(state, FIELD.name),
        keyOwner: user(state, FIELD.keyOwner),
        cells: cellsOf(state),
        expiresAt: expiryOf(state),
      });
      // Nothing changed: close quietly.
      if (!r.changed) return undefined;
      return {
        response_action: "update",
        view: doneModal(
          "API key saved",
          `:white_check_mark: Saved *${esc(r.key.name)}* \`${r.key.publicId}\`. The account owners and the key owner have been told.`,
        ),
      };
    });
  });

  app.view(V.regenerate, async ({ ack, body, view }) => {
    await finishSubmission(deps, ack, view, async () => {
      const meta = readMeta(keyMetaSchema, view.private_metadata);
      const state = readState(view);
      const grace = choice(state, "grace") ?? "none";
      if (!isGraceWindow(grace)) throw invalid("Pick what happens to the old secret.", "grace");
      const ctx = onceCtx(deps.ctx, `${view.id}:${view.callback_id}`);
      const r = await regenerateKey(ctx, body.user.id, {
        keyId: meta.k,
        expectedVersion: meta.v,
        grace,
      });
      const line = r.oldValidUntil
        ? `The old secret keeps working until ${r.oldValidUntil.toISOString().slice(0, 16).replace("T", " ")} UTC.`
        : "The old secret has stopped working.";
      return {
        response_action: "update",
        view: secretModal({
          key: r.key,
          secret: r.secret,
          title: "New secret",
          lines: [line],
        }),
      };
    });
  });

  app.view(V.delete, async ({ ack, body, view }) => {
    await finishSubmission(deps, ack, view, async () => {
      const meta = readMeta(keyMetaSchema, view.private_metadata);
      const state = readState(view);
      const ctx = onceCtx(deps.ctx, `${view.id}:${view.callback_id}`);
      await deleteKey(ctx, body.user.id, {
        keyId: meta.k,
        expectedVersion: meta.v,
        confirmName: text(state, "confirm_name"),
      });
      return {
        response_action: "update",
        view: doneModal(
          "API key deleted",
          `:wastebasket: Deleted *${esc(text(state, "confirm_name").trim())}*. The audit log keeps the record.`,
        ),
      };
    });
  });

  app.view(V.disable, async ({ ack, body, view }) => {
    await finishSubmission(deps, ack, view, async () => {
      const meta = readMeta(keyMetaSchema, view.private_metadata);
      const state = readState(view);
      const ctx = onceCtx(deps.ctx, `${view.id}:${view.callback_id}`);
      const key = await disableKey(ctx, body.user.id, {
        keyId: meta.k,
        reason: text(state, "reason") || null,
      });
      return {
        response_action: "update",
        view: doneModal(
          "API key disabled",
          `:no_entry: *${esc(key.name)}* \`${key.publicId}\` is disabled. An owner can enable it again with \`/apikeys enable\`.`,
        ),
      };
    });
  });
}
