// Expiry reminders, what Let it expire leaves in their place, the owners' Extend modal, and the
// digest's lifetime fix.
import type { Button, ConfirmationDialog, KnownBlock, ModalView } from "@slack/types";
import { describeCell } from "../../domain/grants.ts";
import type { ExpiryReminderNotice, KeyRef } from "../../domain/notices.ts";
import type { GrantCell } from "../../domain/types.ts";
import { ACTION_ID, CALLBACK_ID } from "./ids.ts";
import {
  actions,
  button,
  context,
  type Message,
  modal,
  option,
  packLines,
  section,
} from "./layout.ts";
import { esc, mention, plain, when } from "./text.ts";
import { encode, expiryValue, lifetimeValue } from "./values.ts";

export interface ExpiryView {
  subject: "key" | "grants";
  key: KeyRef;
  requestId: number | null;
  cells: GrantCell[];
  expiresAt: Date;
}

const keyLabel = (k: KeyRef) => `*${esc(k.name)}* \`${k.publicId}\``;

function headline(v: ExpiryView, soon: string): string {
  return v.subject === "key"
    ? `:hourglass_flowing_sand: API key ${keyLabel(v.key)} expires ${soon}: ${when(v.expiresAt)}.`
    : `:hourglass_flowing_sand: Your time-bound access on ${keyLabel(v.key)} (request #${v.requestId}) ends ${soon}: ${when(v.expiresAt)}.`;
}

const cellLines = (v: ExpiryView): KnownBlock[] =>
  v.cells.length
    ? packLines(
        v.cells.map((c) => `• ${esc(describeCell(c))}`),
        10,
      )
    : [];

export const expiryButtonValue = (v: Pick<ExpiryView, "subject" | "expiresAt"> & { id: number }) =>
  encode(expiryValue, { subject: v.subject, id: v.id, at: v.expiresAt.getTime() });

const subjectId = (v: ExpiryView) => (v.subject === "key" ? v.key.id : (v.requestId ?? 0));

/** The reminder DM: Extend (owners choose how long; others ask) and Let it expire. */
export function expiryReminder(n: ExpiryReminderNotice): Message {
  const v: ExpiryView = { ...n, expiresAt: new Date(n.expiresAt) };
  const soon = n.stage === "1d" ? "within a day" : "within 7 days";
  const value = expiryButtonValue({ ...v, id: subjectId(v) });
  return {
    text:
      v.subject === "key"
        ? `API key ${esc(v.key.name)} (${v.key.publicId}) expires ${soon}`
        : `Your time-bound access on ${esc(v.key.name)} (${v.key.publicId}) ends ${soon}`,
    blocks: [
      section(headline(v, soon)),
      ...cellLines(v),
      actions(`expiry:${v.subject}:${subjectId(v)}`, [
        button("Extend", ACTION_ID.extendExpiry, value, "primary"),
        button("Let it expire", ACTION_ID.letExpire, value),
      ]),
      context(
        v.subject === "key"
          ? "Account owners extend it directly; anyone else asks them. Letting it expire stops these reminders."
          : "Extend asks the account owners for more time. Letting it expire stops these reminders.",
      ),
    ],
  };
}

/** What replaces a reminder once someone chose to let it expire. */
export function letExpireMessage(v: ExpiryView, by: string, already: boolean): Message {
  const what = v.subject === "key" ? "The key" : "This access";
  return {
    text: `${esc(v.key.name)} (${v.key.publicId}): left to expire`,
    blocks: [
      section(headline(v, "soon")),
      ...cellLines(v),
      context(
        already
          ? `Already left to expire: no more reminders for this date. ${what} ends ${when(v.expiresAt)}.`
          : `:white_check_mark: ${mention(by)} chose to let it expire: no more reminders for this date, and the audit log says so. ${what} ends ${when(v.expiresAt)}.`,
      ),
    ],
  };
}

/** An owner's Extend: a length from now, or a date (the last day it works, in their zone). */
export function extendModal(
  v: ExpiryView & { id: number },
  choices: number[],
  maxDays?: number,
): ModalView {
  const what =
    v.subject === "key"
      ? `${keyLabel(v.key)}`
      : `request #${v.requestId}'s access on ${keyLabel(v.key)}`;
  return modal({
    callbackId: CALLBACK_ID.extendExpiry,
    title: "Extend",
    submit: "Extend",
    privateMetadata: expiryButtonValue(v),
    blocks: [
      section(`${what} ends ${when(v.expiresAt)}.`),
      ...cellLines(v),
      {
        type: "input",
        block_id: "until",
        optional: true,
        label: plain("For how long, from today"),
        element: {
          type: "radio_buttons",
          action_id: "value",
          options: choices.map((d) => option(`${d} days`, String(d))),
        },
      },
      {
        type: "input",
        block_id: "until_date",
        optional: true,
        label: plain("Or until a date"),
        hint: plain(
          `The last day it works, in your time zone.${maxDays && v.subject === "key" ? ` Keys may live at most ${maxDays} days.` : ""}`,
        ),
        element: { type: "datepicker", action_id: "value" },
      },
    ],
  });
}

const FIX_CONFIRM = (days: number): ConfirmationDialog => ({
  title: plain("Set an expiry?", 100),
  text: plain(
    `The key expires ${days} days from now, the longest the key lifetime allows. The owners and the key owner are told, and the audit log keeps the change.`,
    300,
  ),
  confirm: plain("Set it", 30),
  deny: plain("Not now", 30),
});

/** The digest's one-click fix, behind a confirmation. */
export function lifetimeButton(
  a: { label: string; id: number; version: number },
  days: number,
): Button {
  return {
    ...button(
      a.label,
      ACTION_ID.fixLifetime,
      encode(lifetimeValue, { keyId: a.id, version: a.version }),
    ),
    confirm: FIX_CONFIRM(days),
  };
}
