// The digest's least-privilege sections: grants unused for 30 days on keys still in use (one
// click removes them), and keys not used at all for 30 days. Keys unused for 90 days are
// already the digest's own "Unused for 90 days" section, so they are not listed again here.
import type { Ctx } from "../context.ts";
import type { DigestItem } from "../notices.ts";
import type { Tx } from "../ports.ts";
import { type Listed, Shortlist } from "../shortlist.ts";
import { quote, timeRef } from "../text.ts";
import type { ApiKey } from "../types.ts";
import { countingSince } from "./counting.ts";
import { dayOf } from "./days.ts";
import { type Advice, advise, LONG_UNUSED_DAYS, UNUSED_DAYS, unusedText } from "./unused.ts";

/** Grants named per key; the rest are counted. */
const GRANTS_SHOWN = 4;

const keyText = (k: ApiKey) => `${quote(k.name)} (${k.publicId})`;

/** A section's first items and how many it has in all. */
export interface UsageSection {
  title: string;
  count: number;
  items: DigestItem[];
}

type GrantsUnused = Extract<Advice, { kind: "grants_unused" }>;
type KeyUnused = Extract<Advice, { kind: "key_unused" }>;

/** What the least-privilege sections list: the first few of each, and how many in all. */
export interface UsageLists {
  grantsUnused: Listed<{ key: ApiKey; advice: GrantsUnused }>;
  keysUnused: Listed<{ key: ApiKey; advice: KeyUnused }>;
}

/** The least-privilege lists, filled a page of keys at a time as the digest reads them. */
export interface LeastPrivilege {
  /** One page of keys, in key order, with their grants' use read in the page's transaction. */
  add(tx: Tx, keys: readonly ApiKey[]): Promise<void>;
  lists(): UsageLists;
}

/** `shown`: items built per section (the rest are only counted). */
export async function leastPrivilege(ctx: Ctx, now: Date, shown: number): Promise<LeastPrivilege> {
  const fromDay = dayOf(now) - LONG_UNUSED_DAYS;
  const since = await ctx.uow.run((tx) => countingSince(tx));
  const grantsUnused = new Shortlist<{ key: ApiKey; advice: GrantsUnused }>(shown);
  const keysUnused = new Shortlist<{ key: ApiKey; advice: KeyUnused }>(shown);
  return {
    async add(tx, keys) {
      const use = await tx.usage.grantUse(
        keys.map((k) => k.id),
        fromDay,
      );
      for (const key of keys) {
        const advice = advise(key, use.get(key.id) ?? [], since, now);
        if (advice.kind === "key_unused" && advice.idleDays < LONG_UNUSED_DAYS) {
          keysUnused.add({ key, advice });
        }
        if (advice.kind === "grants_unused") grantsUnused.add({ key, advice });
      }
    },
    lists: () => ({ grantsUnused, keysUnused }),
  };
}

/** The least-privilege sections of the digest, from its lists. */
export function privilegeSections({ grantsUnused, keysUnused }: UsageLists): UsageSection[] {
  return [
    {
      title: `Grants unused for ${UNUSED_DAYS} days`,
      count: grantsUnused.count,
      items: grantsUnused.first.map(({ key, advice }) => {
        const named = advice.grants.slice(0, GRANTS_SHOWN).map(unusedText);
        const more = advice.grants.length - named.length;
        return {
          text: `${keyText(key)}: ${named.join("; ")}${more > 0 ? `; and ${more} more` : ""}`,
          action: {
            label: "Remove unused grants",
            kind: "unused_grants",
            id: key.id,
            version: key.version,
            since: advice.since,
          },
        };
      }),
    },
    {
      title: `Keys not used in ${UNUSED_DAYS} days`,
      count: keysUnused.count,
      items: keysUnused.first.map(({ key, advice }) => ({
        text: `${keyText(key)}: ${advice.lastUsedAt ? `last used ${timeRef(advice.lastUsedAt)}` : `never used, created ${timeRef(key.createdAt)}`}`,
        action: { label: "Disable", kind: "key", id: key.id, verb: "disable" },
      })),
    },
  ];
}
