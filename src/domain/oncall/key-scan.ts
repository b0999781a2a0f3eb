// The digest's pass over every key: the few of each section it shows, and how many each has.
// At 100,000 keys this is the long part of building a digest, so it is data in, data out: the
// app can run it in a process of its own (jobs/key-scan-process.ts), off the event loop that
// answers the verification API.
import { WRITE_APIS } from "../catalog.ts";
import type { Ctx } from "../context.ts";
import { overLifetime } from "../expiry/lifetime.ts";
import { type Listed, Shortlist } from "../shortlist.ts";
import type { ApiKey, Grant } from "../types.ts";
import { leastPrivilege, type UsageLists } from "../usage/digest-sections.ts";
import { type KeyOwners, KeyOwnersBuilder } from "./key-owners.ts";

const DAY = 24 * 60 * 60 * 1000;
export const UNUSED_DAYS = 90;
export const EXPIRING_DAYS = 14;
/** Items a digest section shows; the rest are counted. */
export const PER_SECTION = 8;

/** Keys (and their grants) read per transaction while scanning. */
export const DIGEST_PAGE = 100;

/** What the scan found: plain data (it may come from another process). */
export interface KeyScan {
  unused: Listed<ApiKey>;
  wideWrite: Listed<{ k: ApiKey; g: Grant }>;
  expiring: Listed<ApiKey>;
  overLifetime: Listed<ApiKey>;
  /** Who owns keys, so that the keys of owners who left can be listed once Slack has said who. */
  keyOwners: KeyOwners;
  privilege: UsageLists;
}

/** Where a scan runs when not on the caller's own thread (the app's key-scan process). */
export type KeyScanner = (now: Date) => Promise<KeyScan>;

/** A macrotask boundary: requests that arrived meanwhile are answered first. */
export const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Every key and its grants, read in pages of `pageSize` keys, one short transaction each, the
 * event loop getting a turn between pages: with 100,000 keys one read of everything would hold
 * it (SQLite reads synchronously) for as long as the read takes. A change committed between
 * two pages may be seen by the later page only; a digest is advice, not a snapshot.
 */
async function keysInPages(
  ctx: Ctx,
  pageSize: number,
  onPage: (keys: ApiKey[], grants: Map<number, Grant[]>) => Promise<void>,
): Promise<void> {
  for (let after = 0, first = true; ; first = false) {
    if (!first) await turn();
    const page = await ctx.uow.run(async (tx) => {
      const ks = await tx.keys.page(after, pageSize);
      return { ks, gs: await tx.grants.forKeys(ks.map((k) => k.id)) };
    });
    await onPage(page.ks, page.gs);
    const last = page.ks.at(-1);
    if (!last || page.ks.length < pageSize) return;
    after = last.id;
  }
}

export async function scanKeys(
  ctx: Ctx,
  now: Date,
  o: { pageSize?: number } = {},
): Promise<KeyScan> {
  const t = now.getTime();
  // Each page is sorted as it is read, and of each section only the first few are kept (and
  // counted): holding every key, and a text for each match, grew the heap by 250 MB at
  // 100,000 keys and left the collector pauses of 10-25 ms. Grants are not kept past their
  // page.
  const unused = new Shortlist<ApiKey>(PER_SECTION);
  const wideWrite = new Shortlist<{ k: ApiKey; g: Grant }>(PER_SECTION);
  const expiring = new Shortlist<ApiKey>(PER_SECTION);
  const overLifetimeKeys = new Shortlist<ApiKey>(PER_SECTION);
  const keyOwners = new KeyOwnersBuilder();
  const privilege = await leastPrivilege(ctx, now, PER_SECTION);
  await keysInPages(ctx, o.pageSize ?? DIGEST_PAGE, async (ks, gs) => {
    for (const k of ks) {
      keyOwners.add(k.keyOwner);
      if ((k.lastUsedAt ?? k.createdAt).getTime() <= t - UNUSED_DAYS * DAY) unused.add(k);
      for (const g of gs.get(k.id) ?? [])
        if (g.scope === "*" && WRITE_APIS.includes(g.api)) wideWrite.add({ k, g });
      const ends = k.expiresAt?.getTime();
      if (ends !== undefined && ends > t && ends <= t + EXPIRING_DAYS * DAY) expiring.add(k);
      if (overLifetime(ctx, k, now)) overLifetimeKeys.add(k);
    }
    // The page's use counts in a transaction of their own, in a later turn of the loop: read
    // with the page, they made one block twice as long.
    await turn();
    await ctx.uow.run((tx) => privilege.add(tx, ks));
  });
  return {
    unused,
    wideWrite,
    expiring,
    overLifetime: overLifetimeKeys,
    keyOwners: keyOwners.build(),
    privilege: privilege.lists(),
  };
}
