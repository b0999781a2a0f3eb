// Extend, from an expiry reminder: owners set a later date directly. A key goes through the
// normal edit (the lifetime policy, the audit event, the owners' and key owner's DMs); a
// request's time-bound grants move to the new date together, told to the same people and the
// requester. Everyone else's Extend opens a prefilled request (the Slack surface does that).
import { recordChange } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { conflict, forbidden, invalid, notFound } from "../errors.ts";
import { describeCell } from "../grants.ts";
import { auditKey } from "../keys/describe.ts";
import { editKeyIn } from "../keys/edit.ts";
import { loadKey } from "../keys/load.ts";
import { may, refusal, requirePermission, roleOf } from "../permissions.ts";
import type { ExpirySubject } from "../ports.ts";
import { quote, timeRef } from "../text.ts";
import type { Grant, Nickname } from "../types.ts";
import { checkLifetime, DAY_MS, lifetimeLimit, withinLifetime } from "./lifetime.ts";
import { type ExpiryTarget, isParty, loadTarget, targetName } from "./target.ts";

/** The lengths Extend offers, in days from now: those the lifetime policy allows. */
export function extendChoices(ctx: Ctx): number[] {
  const max = ctx.maxKeyLifetimeDays;
  const all = [30, 90, 180];
  if (!max) return all;
  const within = all.filter((d) => d <= max);
  return within.length ? within : [max];
}

export interface ExtendInput {
  subject: ExpirySubject;
  id: number;
  /** The date the reminder was about: a different one now means someone changed it. */
  from: Date;
  /** A number of days from now, or a date. */
  to: { days: number } | { date: Date };
}

/** Refuses when the subject is gone or its date moved since the reminder. */
export function assertUnchanged(t: ExpiryTarget | undefined, from: Date): ExpiryTarget {
  if (!t) throw notFound("That key or access no longer exists.");
  if (t.expiresAt?.getTime() !== from.getTime()) {
    const now = t.expiresAt ? `it now ends ${timeRef(t.expiresAt)}` : "it no longer ends then";
    throw conflict(`${targetName(t)} changed since this reminder: ${now}. Nothing was changed.`);
  }
  return t;
}

export async function extendExpiry(
  ctx: Ctx,
  actor: string,
  input: ExtendInput,
): Promise<{ target: ExpiryTarget; until: Date }> {
  return ctx.uow.run(async (tx) => {
    await requirePermission(ctx, tx, actor, "extend");
    const now = ctx.clock.now();
    const t = assertUnchanged(await loadTarget(tx, input.subject, input.id), input.from);
    let until =
      "days" in input.to ? new Date(now.getTime() + input.to.days * DAY_MS) : input.to.date;
    if ("days" in input.to && !extendChoices(ctx).includes(input.to.days))
      throw invalid("Pick one of the lengths offered.", "until");
    if (until.getTime() <= input.from.getTime())
      throw invalid(`Pick a date after the current end, ${timeRef(input.from)}.`, "until");

    if (t.subject === "key") {
      checkLifetime(ctx, until, now);
      await editKeyIn(ctx, tx, actor, {
        keyId: t.key.id,
        expectedVersion: t.key.version,
        expiresAt: until,
      });
      return { target: t, until };
    }

    // Access through a key ends with the key, and lives no longer than a key may.
    const field = "days" in input.to ? "until" : "expires";
    // The key's own last day, picked in the calendar, means until the key ends.
    if (
      t.key.expiresAt &&
      "date" in input.to &&
      until.getTime() > t.key.expiresAt.getTime() &&
      until.getTime() - t.key.expiresAt.getTime() <= DAY_MS
    )
      until = t.key.expiresAt;
    if (t.key.expiresAt && until.getTime() > t.key.expiresAt.getTime())
      throw invalid(
        `"${quote(t.key.name)}" itself expires ${timeRef(t.key.expiresAt)}: pick a date no later than that, or extend the key first.`,
        field,
      );
    const limit = lifetimeLimit(ctx, now);
    if (limit && !withinLifetime(ctx, until, now))
      throw invalid(
        `Access may be extended at most ${ctx.maxKeyLifetimeDays} days: pick a date no later than ${timeRef(limit)}.`,
        field,
      );
    await tx.expiries.moveGrantExpiry(t.key.id, t.id, input.from, until);
    await tx.expiries.record({
      subject: "grants",
      subjectId: t.id,
      expiresAt: until,
      stage: "set",
      at: now,
      by: actor,
    });
    // A new version: verification answers cached for the key are dropped.
    await tx.keys.update(t.key.id, t.key.version, {}, now, actor);
    const changes = t.cells.map(
      (c) => `${describeCell(c)}: until ${timeRef(input.from)} → until ${timeRef(until)}`,
    );
    await recordChange(tx, now, {
      event: {
        actor,
        action: "grant.extended",
        ...auditKey(t.key),
        requestId: t.id,
        diff: {
          before: { expiresAt: input.from.toISOString() },
          after: { expiresAt: until.toISOString() },
          changes,
        },
      },
      title: `Time-bound access extended (request #${t.id})`,
      key: await loadKey(tx, t.key.id),
      alsoTell: t.request ? [t.request.requester] : [],
      changes,
    });
    return { target: t, until };
  });
}

/**
 * What Extend opens for this person: owners choose a new date; anyone else asks for the
 * same access again (time-bound grants only: a request carries grants, not a key's expiry).
 */
export async function extendOptions(
  ctx: Ctx,
  actor: string,
  input: { subject: ExpirySubject; id: number; from: Date },
): Promise<{ direct: boolean; target: ExpiryTarget; grants: Grant[]; nicknames: Nickname[] }> {
  return ctx.uow.run(async (tx) => {
    const role = await roleOf(ctx, tx, actor);
    const direct = may(role, "extend");
    // A key's expiry only an owner can move: the refusal names them.
    if (!direct && input.subject === "key") await requirePermission(ctx, tx, actor, "extend");
    const loaded = await loadTarget(tx, input.subject, input.id);
    // Anyone else sees only their own request's access, and the same refusal whether the
    // request exists or not: a forged button learns nothing about other requests.
    if (!direct && !(loaded && isParty(loaded, actor))) throw forbidden(refusal("extend"));
    const target = assertUnchanged(loaded, input.from);
    return {
      direct,
      target,
      grants: await tx.grants.forKey(target.key.id),
      nicknames: await tx.nicknames.list(),
    };
  });
}
