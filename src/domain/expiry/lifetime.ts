// The key lifetime policy (MAX_KEY_LIFETIME_DAYS): when set, every key must expire, and no
// later than that many days from the moment its expiry is set. A date picked in a modal is a
// whole day in the picker's time zone, so the day the limit falls on is allowed to its end.
import type { Ctx } from "../context.ts";
import { invalid } from "../errors.ts";
import type { DigestItem } from "../notices.ts";
import { quote, timeRef } from "../text.ts";
import type { ApiKey } from "../types.ts";

export const DAY_MS = 24 * 60 * 60 * 1000;

/** The longest expiry a key may be given now (exactly the limit); none without a policy. */
export function lifetimeLimit(ctx: Ctx, now: Date): Date | null {
  const days = ctx.maxKeyLifetimeDays;
  return days ? new Date(now.getTime() + days * DAY_MS) : null;
}

/** Whether an expiry respects the policy (the day the limit falls on counts whole). */
export function withinLifetime(ctx: Ctx, expiresAt: Date | null, now: Date): boolean {
  const limit = lifetimeLimit(ctx, now);
  if (!limit) return true;
  return expiresAt !== null && expiresAt.getTime() <= limit.getTime() + DAY_MS;
}

/** Refuses an expiry (or none) the policy does not allow, under the form's expiry field. */
export function checkLifetime(ctx: Ctx, expiresAt: Date | null, now: Date): void {
  const limit = lifetimeLimit(ctx, now);
  if (!limit || withinLifetime(ctx, expiresAt, now)) return;
  const days = ctx.maxKeyLifetimeDays;
  throw invalid(
    expiresAt
      ? `Keys may live at most ${days} days: pick a date no later than ${timeRef(limit)}.`
      : `Keys must expire, within ${days} days: pick a date no later than ${timeRef(limit)}.`,
    "expires",
  );
}

/** The expiry a key made by an approval gets: the limit, when there is one. */
export const newKeyExpiry = (ctx: Ctx, now: Date): Date | null => lifetimeLimit(ctx, now);

/** Whether the policy, when there is one, no longer allows this key (no expiry, or a later one). */
export function overLifetime(ctx: Ctx, k: Pick<ApiKey, "expiresAt">, now: Date): boolean {
  return Boolean(ctx.maxKeyLifetimeDays) && !withinLifetime(ctx, k.expiresAt, now);
}

/** The digest's section title for keys over the policy; none without a policy. */
export function lifetimeTitle(ctx: Ctx): string | null {
  const days = ctx.maxKeyLifetimeDays;
  return days ? `No expiry, or beyond the ${days}-day key lifetime` : null;
}

/** The digest's line for a key over the policy, with its one-click fix. */
export function lifetimeItem(ctx: Ctx, k: ApiKey): DigestItem {
  const days = ctx.maxKeyLifetimeDays as number;
  return {
    text: `${quote(k.name)} (${k.publicId}): ${k.expiresAt ? `expires ${timeRef(k.expiresAt)}` : "never expires"}`,
    action: {
      label: `Expire in ${days} days`,
      kind: "lifetime",
      id: k.id,
      version: k.version,
      days,
    },
  };
}
