// An owner's Extend: a length from today or a date, through the extend use case.
import type { App } from "@slack/bolt";
import { invalid } from "../../domain/errors.ts";
import { extendExpiry } from "../../domain/expiry/extend.ts";
import { CALLBACK_ID } from "../blocks/ids.ts";
import { expiryFromDate } from "../blocks/key-form.ts";
import { doneModal } from "../blocks/results.ts";
import { esc, when } from "../blocks/text.ts";
import { expiryValue } from "../blocks/values.ts";
import type { SlackDeps } from "../deps.ts";
import { choice, date, datePattern } from "./state.ts";
import { onSubmit } from "./submission.ts";

export function registerExpiryViews(app: App, deps: SlackDeps): void {
  onSubmit(app, deps, CALLBACK_ID.extendExpiry, {
    meta: expiryValue,
    // The lifetime policy's refusal goes under the date.
    fields: { expires: "until_date" },
    submit: async ({ meta, state, ctx, userId }) => {
      const days = choice(state, "until");
      const day = date(state, "until_date");
      if (days && day) throw invalid("Pick a length or a date, not both.", "until");
      if (!days && !day) throw invalid("Pick how long, or a date.", "until");
      let to: { days: number } | { date: Date };
      if (day) {
        if (!datePattern.test(day) || Number.isNaN(Date.parse(day)))
          throw invalid("Pick a date from the calendar.", "until_date");
        to = { date: expiryFromDate(day, await deps.people.timeZone(userId)) };
      } else {
        const n = Number(days);
        if (!Number.isInteger(n) || n <= 0)
          throw invalid("Pick one of the lengths offered.", "until");
        to = { days: n };
      }
      const { target, until } = await extendExpiry(ctx, userId, {
        subject: meta.subject,
        id: meta.id,
        from: new Date(meta.at),
        to,
      });
      const what =
        target.subject === "key"
          ? `*${esc(target.key.name)}* \`${target.key.publicId}\` now expires`
          : `Request #${target.id}'s access on *${esc(target.key.name)}* now ends`;
      return doneModal(
        "Extended",
        `:white_check_mark: ${what} ${when(until)}. The owners and the key owner have been told${target.subject === "grants" ? ", and the requester" : ""}.`,
      );
    },
  });
}
