// Least privilege from usage: which grants went unused, said only where the counts can tell.
// A grant is unused for N days when Keyward counted usage throughout those days, the grant
// existed throughout them, and no allowed check was counted against it (allowingGrant says
// which grant a check counts against). No rows is not "unused" when counting began later, or
// when the grant is younger than the window.
import { describeCell, isLive } from "../grants.ts";
import type { ApiKey, GrantCell } from "../types.ts";
import { DAY_MS, dayOf, dayStart, isoDayOf } from "./days.ts";
import type { GrantUse } from "./types.ts";

/** A grant unused this long is suggested for removal. */
export const UNUSED_DAYS = 30;
/** …and this long, flagged as long unused. Also how far back suggestions read usage. */
export const LONG_UNUSED_DAYS = 90;
/**
 * How long daily usage rows are kept: the longest window asked about (90 days) with a month
 * to spare, so a suggestion opened late can still be checked against the same days.
 */
export const RETENTION_DAYS = 120;

export interface UnusedGrant extends GrantCell {
  /** Days without a counted check, as far as the counts reach (90 or more: long). */
  idleDays: number;
  lastUsedDay: number | null;
  long: boolean;
}

export type Advice =
  /** Disabled or expired: nothing it holds can be used, nothing to suggest. */
  | { kind: "inactive" }
  /** The key itself has not been used in UNUSED_DAYS (by its last use, kept since before). */
  | { kind: "key_unused"; lastUsedAt: Date | null; idleDays: number }
  /** Counting has not covered UNUSED_DAYS yet: no grant can be called unused before `ready`. */
  | { kind: "counting"; ready: Date }
  /** Grants with no use since day `since` (what a removal checks again). */
  | { kind: "grants_unused"; since: number; grants: UnusedGrant[] }
  /** Nothing to suggest (grants in use, or too young to tell). */
  | { kind: "nothing" };

/** The first day of the window a grant must have gone unused in, for `days` days. */
export const windowStart = (now: Date, days: number) => dayOf(now) - days;

/**
 * Live grants with no use on day `since` or later, of those that existed before it, provided
 * counting had begun before it. `lastUsedDay` must have been read from `since` or earlier.
 */
export function unusedSince<G extends GrantUse>(
  grants: readonly G[],
  since: number,
  countingSince: Date | undefined,
  now: Date,
): G[] {
  if (!countingSince || dayOf(countingSince) >= since) return [];
  return grants.filter(
    (g) =>
      isLive(g, now) &&
      dayOf(g.grantedAt) < since &&
      (g.lastUsedDay === null || g.lastUsedDay < since),
  );
}

/** What to suggest for one key, from its grants' use read from LONG_UNUSED_DAYS back. */
export function advise(
  key: ApiKey,
  grants: readonly GrantUse[],
  countingSince: Date | undefined,
  now: Date,
): Advice {
  const t = now.getTime();
  if (key.status === "disabled" || (key.expiresAt && key.expiresAt.getTime() <= t)) {
    return { kind: "inactive" };
  }
  const since = windowStart(now, UNUSED_DAYS);
  // Its last use is written a second behind the counts: either one shows it in use.
  const counted = grants.some((g) => g.lastUsedDay !== null && g.lastUsedDay >= since);
  const lastUse = key.lastUsedAt ?? key.createdAt;
  if (!counted && lastUse.getTime() <= t - UNUSED_DAYS * DAY_MS) {
    return {
      kind: "key_unused",
      lastUsedAt: key.lastUsedAt,
      idleDays: Math.floor((t - lastUse.getTime()) / DAY_MS),
    };
  }
  const counting = countingSince ? dayOf(countingSince) : dayOf(now);
  if (counting >= since) return { kind: "counting", ready: dayStart(counting + UNUSED_DAYS + 1) };
  const today = dayOf(now);
  const unused = unusedSince(grants, since, countingSince, now).map((g): UnusedGrant => {
    const idleDays =
      today - Math.max(g.lastUsedDay ?? Number.NEGATIVE_INFINITY, dayOf(g.grantedAt), counting);
    return {
      scope: g.scope,
      api: g.api,
      idleDays,
      lastUsedDay: g.lastUsedDay,
      long: idleDays >= LONG_UNUSED_DAYS,
    };
  });
  return unused.length ? { kind: "grants_unused", since, grants: unused } : { kind: "nothing" };
}

/** "Products API on acme: not used in 90+ days", as the digest and Quick view say it. */
export function unusedText(g: UnusedGrant): string {
  const idle =
    g.lastUsedDay !== null
      ? `last used on ${isoDayOf(g.lastUsedDay)} (UTC)`
      : g.long
        ? `not used in ${LONG_UNUSED_DAYS}+ days`
        : `not used in ${g.idleDays} days`;
  return `${describeCell(g)}: ${idle}`;
}
