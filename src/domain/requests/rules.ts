// What a request may ask for, and how long an approval lasts.
import { z } from "zod";
import { ALL_ACCOUNTS, mayHold } from "../catalog.ts";
import { cellKey, permits } from "../grants.ts";
import type { Grant, GrantCell, Nickname, RequestDuration } from "../types.ts";

const DURATIONS = ["1h", "1d", "7d", "30d", "permanent"] as const;
const DURATION_MS: Record<RequestDuration, number | null> = {
  "1h": 60 * 60 * 1000,
  "1d": 24 * 60 * 60 * 1000,
  "7d": 7 * 24 * 60 * 60 * 1000,
  "30d": 30 * 24 * 60 * 60 * 1000,
  permanent: null,
};
export const REQUEST_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const REMIND_AFTER_MS = 24 * 60 * 60 * 1000;

export const durationSchema = z.enum(DURATIONS, { error: "Pick how long you need it." });
export const requestReasonSchema = z
  .string()
  .trim()
  .min(10, "Say why you need it, in at least 10 characters.")
  .max(1000, "A reason can be at most 1,000 characters.");

/**
 * Whether the key already lets this cell through (directly, via All accounts, or implied).
 * `until`, when given: only grants lasting at least that long count (null: permanent ones), so
 * time-bound access can be asked for again for longer, and an approval replaces it.
 */
export function alreadyHeld(
  cell: GrantCell,
  held: readonly Grant[],
  nicknames: readonly Nickname[],
  now: Date,
  until?: Date | null,
): boolean {
  const grants =
    until === undefined
      ? held
      : held.filter((g) => g.expiresAt === null || (until !== null && g.expiresAt >= until));
  if (
    grants.some((g) => cellKey(g) === cellKey(cell) && (g.expiresAt === null || g.expiresAt > now))
  )
    return true;
  if (cell.scope === ALL_ACCOUNTS) {
    // All accounts is held only as All accounts (or its implication orders:write ⇒ read).
    return (
      cell.api === "orders:read" &&
      grants.some((g) => g.scope === ALL_ACCOUNTS && g.api === "orders:write")
    );
  }
  const nick = nicknames.find((n) => n.nickname === cell.scope);
  return (
    nick !== undefined &&
    mayHold(cell.api, nick.kind) &&
    permits(grants, nick.nickname, nick.kind, cell.api, now)
  );
}

export function expiryFor(duration: RequestDuration, from: Date): Date | null {
  const ms = DURATION_MS[duration];
  return ms === null ? null : new Date(from.getTime() + ms);
}
