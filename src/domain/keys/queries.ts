// Reading keys: everyone in the workspace may list and look.
import type { Ctx } from "../context.ts";
import { notFound } from "../errors.ts";
import { reach } from "../grants.ts";
import type { Tx } from "../ports.ts";
import type { ApiKey, KeyWithGrants, Nickname } from "../types.ts";
import { type KeyFilter, keyMatches, narrowsBeyondText } from "./filter.ts";
import { findKeyByRef, loadKey } from "./load.ts";

export interface KeyPage {
  items: Array<KeyWithGrants & { nicknamesReached: number }>;
  total: number;
  offset: number;
  limit: number;
}

export interface KeyListQuery {
  /** What to show; a filter of text alone is the store's own name search. */
  filter?: KeyFilter;
  /** Who asks: `mine` means the keys they are the key owner of. */
  userId?: string;
  keyOwner?: string;
  offset: number;
  limit: number;
}

export async function listKeys(ctx: Ctx, q: KeyListQuery & { text?: string }): Promise<KeyPage> {
  return ctx.uow.run(async (tx) => {
    const now = ctx.clock.now();
    const nicknames = await tx.nicknames.list();
    const filter: KeyFilter = { ...q.filter, ...(q.text ? { text: q.text } : {}) };
    const { keys, total } = await findKeys(tx, { ...q, filter }, now, nicknames);
    const grants = await tx.grants.forKeys(keys.map((k) => k.id));
    const items = keys.map((key) => {
      const g = grants.get(key.id) ?? [];
      return { key, grants: g, nicknamesReached: reach(g, nicknames, now).size };
    });
    return { items, total, offset: q.offset, limit: q.limit };
  });
}

/**
 * One page of the keys a filter lets through, ordered by name, in a transaction already open.
 * Text alone (or nothing) is the store's search; anything more is decided here, on every key
 * with its grants: a company has hundreds of keys, not millions.
 */
export async function findKeys(
  tx: Tx,
  q: KeyListQuery,
  now: Date,
  nicknames: readonly Nickname[],
): Promise<{ keys: ApiKey[]; total: number }> {
  const f = q.filter ?? {};
  if (f.nickname && !nicknames.some((n) => n.nickname === f.nickname)) {
    throw notFound(
      `No nickname \`${f.nickname}\` is linked. \`/apikeys nicknames\` lists the linked ones.`,
    );
  }
  if (!narrowsBeyondText(f)) {
    return tx.keys.list({ text: f.text, keyOwner: q.keyOwner, offset: q.offset, limit: q.limit });
  }
  const all = (await tx.keys.all()).filter((k) => !q.keyOwner || k.keyOwner === q.keyOwner);
  const grants = f.nickname || f.api ? await tx.grants.forKeys(all.map((k) => k.id)) : new Map();
  const userId = q.userId ?? "";
  const matching = all
    .filter((k) => keyMatches(k, grants.get(k.id) ?? [], f, { userId, now, nicknames }))
    .sort((a, b) => {
      const x = a.name.toLowerCase();
      const y = b.name.toLowerCase();
      return x < y ? -1 : x > y ? 1 : a.id - b.id;
    });
  return { keys: matching.slice(q.offset, q.offset + q.limit), total: matching.length };
}

export async function getKey(ctx: Ctx, ref: string | number): Promise<KeyWithGrants> {
  return ctx.uow.run(async (tx) => {
    const key: ApiKey =
      typeof ref === "number" ? await loadKey(tx, ref) : await findKeyByRef(tx, ref);
    return { key, grants: await tx.grants.forKey(key.id) };
  });
}
