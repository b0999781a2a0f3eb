// Submissions of the key modals: create, edit, regenerate, delete, disable, rotate.
import type { App } from "@slack/bolt";
import { FieldErrors, invalid } from "../../domain/errors.ts";
import { createKey } from "../../domain/keys/create.ts";
import { deleteKey } from "../../domain/keys/delete.ts";
import { disableKey } from "../../domain/keys/disable.ts";
import { editKey, ReachLoss } from "../../domain/keys/edit.ts";
import { isGraceWindow } from "../../domain/keys/grace.ts";
import { type HandTo, isHandTo } from "../../domain/keys/new-secret.ts";
import { regenerateKey } from "../../domain/keys/regenerate.ts";
import { revealHandover } from "../../domain/keys/reveal-handover.ts";
import { type RotateMode, rotateKey } from "../../domain/keys/rotate.ts";
import { CALLBACK_ID } from "../blocks/ids.ts";
import { expiryFromDate, FIELD } from "../blocks/key-form.ts";
import { doneModal, handedOverModal, secretModal } from "../blocks/results.ts";
import { esc } from "../blocks/text.ts";
import { keyMeta, noMeta } from "../blocks/values.ts";
import type { SlackDeps } from "../deps.ts";
import { redrawList } from "../flows/redraw.ts";
import { cells, choice, date, datePattern, type State, text, user } from "./state.ts";
import { onSubmit } from "./submission.ts";

/** The picked day, read in the time zone of the person who picked it. */
function expiryOf(state: State, tz: string | undefined): Date | null {
  const d = date(state, FIELD.expires);
  if (d === null || d === "") return null;
  if (!datePattern.test(d) || Number.isNaN(Date.parse(d)))
    throw invalid("Pick a date from the calendar.", "expires");
  return expiryFromDate(d, tz);
}

const isReachLoss = (e: unknown) =>
  e instanceof ReachLoss ||
  (e instanceof FieldErrors && e.errors.every((x) => x instanceof ReachLoss));

/** True the first time this is asked for `what` (remembered with the submission claims). */
function firstTime(deps: SlackDeps, what: string): Promise<boolean> {
  return deps.ctx.uow.run((tx) => tx.submissions.claim(what, deps.ctx.clock.now()));
}

function handToOf(state: State): HandTo {
  const v = choice(state, "hand_to") ?? "me";
  if (!isHandTo(v)) throw invalid("Pick who gets the new secret.", "hand_to");
  return v;
}

function rotateModeOf(value: string | null): RotateMode {
  if (value === "disable") return { kind: "disable" };
  const grace = value?.startsWith("rotate:") ? value.slice(7) : "";
  if (!isGraceWindow(grace)) throw invalid("Pick what to do.", "mode");
  return { kind: "rotate", grace };
}

export function registerKeyViews(app: App, deps: SlackDeps): void {
  onSubmit(app, deps, CALLBACK_ID.createKey, {
    meta: noMeta,
    submit: async ({ state, ctx, userId }) => {
      const { key, secret } = await createKey(ctx, userId, {
        name: text(state, FIELD.name),
        keyOwner: user(state, FIELD.keyOwner),
        cells: cells(state),
        expiresAt: expiryOf(state, await deps.people.timeZone(userId)),
      });
      return secretModal({ key, secret, title: "API key created" });
    },
  });

  onSubmit(app, deps, CALLBACK_ID.editKey, {
    meta: keyMeta,
    submit: async ({ meta, state, ctx, userId, viewId }) => {
      const tz = await deps.people.timeZone(userId);
      const edit = (allowReachLoss: boolean) =>
        editKey(ctx, userId, {
          keyId: meta.keyId,
          expectedVersion: meta.version,
          name: text(state, FIELD.name),
          keyOwner: user(state, FIELD.keyOwner),
          cells: cells(state),
          expiresAt: expiryOf(state, tz),
          allowReachLoss,
        });
      let r: Awaited<ReturnType<typeof editKey>>;
      try {
        r = await edit(false);
      } catch (e) {
        // Taking reach away is said once, under the field; saving again confirms it.
        if (!isReachLoss(e) || (await firstTime(deps, `reach-warning:${viewId}`))) throw e;
        r = await edit(true);
      }
      // Saved (or nothing to change): the form closes, and the list it came from shows it.
      if (r.changed && meta.source) await redrawList(deps, userId, meta.source);
      return undefined;
    },
  });

  onSubmit(app, deps, CALLBACK_ID.regenerateKey, {
    meta: keyMeta,
    submit: async ({ meta, state, ctx, userId }) => {
      const grace = choice(state, "grace") ?? "none";
      if (!isGraceWindow(grace)) throw invalid("Pick what happens to the old secret.", "grace");
      const r = await regenerateKey(ctx, userId, {
        keyId: meta.keyId,
        expectedVersion: meta.version,
        grace,
        handTo: handToOf(state),
      });
      if (!r.secret) return handedOverModal(r.key, r.lines);
      return secretModal({
        key: r.key,
        secret: r.secret,
        title: "New secret",
        lines: r.lines.slice(0, 1),
        viewer: userId,
      });
    },
  });

  onSubmit(app, deps, CALLBACK_ID.deleteKey, {
    meta: keyMeta,
    submit: async ({ meta, state, ctx, userId }) => {
      const confirmName = text(state, "confirm_name");
      await deleteKey(ctx, userId, {
        keyId: meta.keyId,
        expectedVersion: meta.version,
        confirmName,
      });
      return doneModal(
        "API key deleted",
        `:wastebasket: Deleted *${esc(confirmName.trim())}*. The audit log keeps the record.`,
      );
    },
  });

  onSubmit(app, deps, CALLBACK_ID.disableKey, {
    meta: keyMeta,
    submit: async ({ meta, state, ctx, userId }) => {
      const key = await disableKey(ctx, userId, {
        keyId: meta.keyId,
        reason: text(state, "reason") || null,
      });
      return doneModal(
        "API key disabled",
        `:no_entry: *${esc(key.name)}* \`${key.publicId}\` is disabled. An owner can enable it again with \`/apikeys enable\`.`,
      );
    },
  });

  // A compromised key: no version check, whoever changed it last.
  onSubmit(app, deps, CALLBACK_ID.rotateKey, {
    meta: keyMeta,
    submit: async ({ meta, state, ctx, userId }) => {
      const mode = rotateModeOf(choice(state, "mode"));
      const r = await rotateKey(ctx, userId, {
        keyId: meta.keyId,
        reason: text(state, "reason"),
        incidentLink: text(state, "incident"),
        mode,
        handTo: handToOf(state),
      });
      if (r.handedOver) return handedOverModal(r.key, r.lines);
      if (!r.secret) {
        return doneModal(
          "Key disabled",
          `:no_entry: *${esc(r.key.name)}* \`${r.key.publicId}\` is disabled, and every old secret is dead. The owners have been told. Only an owner can enable it again.`,
        );
      }
      return secretModal({
        key: r.key,
        secret: r.secret,
        title: "Key rotated",
        lines: [...r.lines.slice(0, 1), "The owners and the key owner have been told."],
        viewer: userId,
      });
    },
  });

  onSubmit(app, deps, CALLBACK_ID.revealHandover, {
    meta: keyMeta,
    submit: async ({ meta, ctx, userId }) => {
      const { key, secret } = await revealHandover(ctx, userId, { keyId: meta.keyId });
      return secretModal({ key, secret, title: "Your new secret", viewer: userId });
    },
  });
}
