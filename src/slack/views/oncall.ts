import type { App } from "@slack/bolt";
import { invalid } from "../../domain/errors.ts";
import { isGraceWindow } from "../../domain/keys/grace.ts";
import { type RotateMode, rotateKey } from "../../domain/keys/rotate.ts";
import { V } from "../blocks/ids.ts";
import { doneModal, secretModal } from "../blocks/results.ts";
import { esc } from "../blocks/text.ts";
import type { SlackDeps } from "../deps.ts";
import { onceCtx } from "../once.ts";
import { choice, keyMetaSchema, readMeta, readState, text } from "./state.ts";
import { finishSubmission } from "./submit.ts";

function modeOf(value: string | null): RotateMode {
  if (value === "disable") return { kind: "disable" };
  const grace = value?.startsWith("rotate:") ? value.slice(7) : "";
  if (!isGraceWindow(grace)) throw invalid("Pick what to do.", "mode");
  return { kind: "rotate", grace };
}

export function registerOncallViews(app: App, deps: SlackDeps): void {
  app.view(V.rotate, async ({ ack, body, view }) => {
    await finishSubmission(deps, ack, view, async () => {
      const meta = readMeta(keyMetaSchema, view.private_metadata);
      const state = readState(view);
      const mode = modeOf(choice(state, "mode"));
      const ctx = onceCtx(deps.ctx, `${view.id}:${view.callback_id}`);
      const r = await rotateKey(ctx, body.user.id, {
        keyId: meta.k,
        reason: text(state, "reason"),
        incidentLink: text(state, "incident"),
        mode,
      });
      if (!r.secret) {
        return {
          response_action: "update",
          view: doneModal(
            "Key disabled",
            `:no_entry: *${esc(r.key.name)}* \`${r.key.publicId}\` is disabled, and every old secret is dead. The owners have been told. Only an owner can enable it again.`,
          ),
        };
      }
      const line =
        mode.kind === "rotate" && mode.grace !== "none"
          ? "The old secret works for the grace window you chose; older ones stopped now."
          : "The old secret stopped working now.";
      return {
        response_action: "update",
        view: secretModal({
          key: r.key,
          secret: r.secret,
          title: "Key rotated",
          lines: [line, "The owners and the key owner have been told."],
        }),
      };
    });
  });
}
