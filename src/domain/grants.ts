// Rules of the permission matrix: which cells may exist, what changed, what a key reaches.
import {
  ALL_ACCOUNTS,
  API_IDS,
  API_LABELS,
  type ApiId,
  isApiId,
  mayHold,
  type NicknameKind,
  satisfiedBy,
  scopeLabel,
} from "./catalog.ts";
import { invalid } from "./errors.ts";
import { quote } from "./text.ts";
import type { Grant, GrantCell, Nickname } from "./types.ts";

export const cellKey = (c: GrantCell) => `${c.scope}|${c.api}`;

export function sortCells<T extends GrantCell>(cells: T[]): T[] {
  return [...cells].sort(
    (a, b) =>
      Number(b.scope === ALL_ACCOUNTS) - Number(a.scope === ALL_ACCOUNTS) ||
      a.scope.localeCompare(b.scope) ||
      API_IDS.indexOf(a.api) - API_IDS.indexOf(b.api),
  );
}

/**
 * Checks requested cells against the catalog and the linked nicknames; returns them
 * de-duplicated. Refuses Products for non-sellers and nicknames that are not linked.
 */
export function validateCells(
  cells: ReadonlyArray<{ scope: string; api: string }>,
  nicknames: readonly Nickname[],
  field = "permissions",
): GrantCell[] {
  const byName = new Map(nicknames.map((n) => [n.nickname, n]));
  const seen = new Map<string, GrantCell>();
  for (const { scope, api } of cells) {
    if (!isApiId(api)) throw invalid(`There is no API called "${quote(api)}".`, field);
    if (scope !== ALL_ACCOUNTS) {
      const nick = byName.get(scope);
      if (!nick)
        throw invalid(`"${quote(scope)}" is not a linked account nickname.`, `${field}.${api}`);
      if (!mayHold(api, nick.kind)) {
        throw invalid(
          `${API_LABELS[api]} is for sellers only: "${scope}" is an ${nick.kind} account.`,
          `${field}.${api}`,
        );
      }
    }
    const cell = { scope, api };
    seen.set(cellKey(cell), cell);
  }
  return sortCells([...seen.values()]);
}

export function diffCells(before: readonly GrantCell[], after: readonly GrantCell[]) {
  const b = new Set(before.map(cellKey));
  const a = new Set(after.map(cellKey));
  return {
    added: sortCells(after.filter((c) => !b.has(cellKey(c)))),
    removed: sortCells(before.filter((c) => !a.has(cellKey(c)))),
  };
}

export function describeCell(c: GrantCell): string {
  return `${API_LABELS[c.api]} on ${scopeLabel(c.scope)}`;
}

/** Readable diff lines, as owners see them in DMs and the audit log. */
export function describeDiff(added: readonly GrantCell[], removed: readonly GrantCell[]): string[] {
  return [
    ...added.map((c) => `+ ${describeCell(c)}`),
    ...removed.map((c) => `− ${describeCell(c)}`),
  ];
}

export function isLive(g: { expiresAt: Date | null }, now: Date): boolean {
  return g.expiresAt === null || g.expiresAt.getTime() > now.getTime();
}

/** Whether a set of grants lets `nickname` (of `kind`) call `api` at `now`. */
export function permits(
  grants: readonly Grant[],
  nickname: string,
  kind: NicknameKind,
  api: ApiId,
  now: Date,
): boolean {
  return allowingGrant(grants, nickname, kind, api, now) !== undefined;
}

/**
 * The grant a check is counted against when several would allow it: the least powerful one,
 * so that what usage calls unused can go without refusing any check that was seen. The API
 * asked for beats one that implies it (`orders:read` before `orders:write`: an unused write
 * grant is the larger risk), then the nickname itself beats All accounts.
 */
export function allowingGrant<G extends Grant>(
  grants: readonly G[],
  nickname: string,
  kind: NicknameKind,
  api: ApiId,
  now: Date,
): G | undefined {
  const accepted = satisfiedBy(api);
  let best: G | undefined;
  let bestRank = 4;
  for (const g of grants) {
    // Cheapest test first: most of a key's grants are for other nicknames.
    const wide = g.scope === ALL_ACCOUNTS;
    if (!wide && g.scope !== nickname) continue;
    const exact = g.api === api;
    if (!exact && !accepted.includes(g.api)) continue;
    if (!isLive(g, now) || (wide && !mayHold(api, kind))) continue;
    const rank = (exact ? 0 : 2) + (wide ? 1 : 0);
    if (rank === 0) return g;
    if (rank < bestRank) {
      best = g;
      bestRank = rank;
    }
  }
  return best;
}

/** For each linked nickname, the APIs it can use through these grants (the quick view). */
export function reach(
  grants: readonly Grant[],
  nicknames: readonly Nickname[],
  now: Date,
): Map<string, ApiId[]> {
  const out = new Map<string, ApiId[]>();
  for (const n of nicknames) {
    const apis = API_IDS.filter((api) => permits(grants, n.nickname, n.kind, api, now));
    if (apis.length > 0) out.set(n.nickname, apis);
  }
  return out;
}

/**
 * Nicknames that would lose an API because All accounts is taken away from it and nothing
 * else grants it to them, per API; empty when no All accounts grant goes.
 */
export function reachLostWithAllAccounts(
  before: readonly Grant[],
  after: readonly GrantCell[],
  nicknames: readonly Nickname[],
  now: Date,
): Map<ApiId, string[]> {
  const afterGrants: Grant[] = after.map((c) => {
    const kept = before.find((g) => cellKey(g) === cellKey(c));
    return { ...c, expiresAt: kept?.expiresAt ?? null, requestId: kept?.requestId ?? null };
  });
  const lost = new Map<ApiId, string[]>();
  for (const api of API_IDS) {
    const had = before.some((g) => g.scope === ALL_ACCOUNTS && g.api === api && isLive(g, now));
    if (!had || after.some((c) => c.scope === ALL_ACCOUNTS && c.api === api)) continue;
    const gone = nicknames
      .filter(
        (n) =>
          mayHold(api, n.kind) &&
          permits(before, n.nickname, n.kind, api, now) &&
          !permits(afterGrants, n.nickname, n.kind, api, now),
      )
      .map((n) => n.nickname);
    if (gone.length) lost.set(api, gone);
  }
  return lost;
}
