// Which keys a list shows: `mine`, `expiring`, `disabled`, `nickname:<n>`, `api:<id>` and free
// text, combined (every one given must hold). The same filter serves `/apikeys list` and the
// Home tab's sections.
import { API_LABELS, type ApiId } from "../catalog.ts";
import { reach } from "../grants.ts";
import type { ApiKey, Grant, Nickname } from "../types.ts";

/** `expiring` means a key whose expiry falls within this many days from now. */
export const EXPIRING_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface KeyFilter {
  /** Keys the person asking is the key owner of. */
  mine?: boolean;
  /** Keys that expire within EXPIRING_DAYS (and have not yet). */
  expiring?: boolean;
  disabled?: boolean;
  /** Keys through which this linked nickname can use some API (All accounts included). */
  nickname?: string;
  /** Keys through which some nickname can use this API (orders:write counts for orders:read). */
  api?: ApiId;
  /** A case-insensitive piece of the name or the public id. */
  text?: string;
}

/** Whether the filter needs more than the name search the store does by itself. */
export const narrowsBeyondText = (f: KeyFilter): boolean =>
  Boolean(f.mine || f.expiring || f.disabled || f.nickname || f.api);

export interface KeyFilterContext {
  userId: string;
  now: Date;
  nicknames: readonly Nickname[];
}

export function keyMatches(
  key: ApiKey,
  grants: readonly Grant[],
  f: KeyFilter,
  c: KeyFilterContext,
): boolean {
  if (f.mine && key.keyOwner !== c.userId) return false;
  if (f.disabled && key.status !== "disabled") return false;
  if (f.expiring) {
    const at = key.expiresAt?.getTime();
    const now = c.now.getTime();
    if (at === undefined || at <= now || at > now + EXPIRING_DAYS * DAY_MS) return false;
  }
  if (f.text) {
    const t = f.text.trim().toLowerCase();
    if (!key.name.toLowerCase().includes(t) && !key.publicId.toLowerCase().includes(t))
      return false;
  }
  if (f.nickname || f.api) {
    const reached = reach(grants, c.nicknames, c.now);
    if (f.nickname && !reached.has(f.nickname)) return false;
    if (f.api) {
      const api = f.api;
      if (![...reached.values()].some((apis) => apis.includes(api))) return false;
    }
  }
  return true;
}

/** The filter in words, for a list's heading: "yours · expiring within 14 days". */
export function describeKeyFilter(f: KeyFilter): string[] {
  return [
    f.mine ? "yours" : null,
    f.expiring ? `expiring within ${EXPIRING_DAYS} days` : null,
    f.disabled ? "disabled" : null,
    f.nickname ? `reaching nickname ${f.nickname}` : null,
    f.api ? `with ${API_LABELS[f.api]}` : null,
  ].filter((p): p is string => p !== null);
}
