// The digest's least-privilege sections: grants unused for 30 days on keys still in use (one
// click removes them), and keys not used at all for 30 days. Keys unused for 90 days are
// already the digest's own "Unused for 90 days" section, so they are not listed again here.
import type { Ctx } from "../context.ts";
import type { DigestItem } from "../notices.ts";
import { quote, timeRef } from "../text.ts";
import type { ApiKey } from "../types.ts";
import { countingSince } from "./counting.ts";
import { dayOf } from "./days.ts";
import { advise, LONG_UNUSED_DAYS, UNUSED_DAYS, unusedText } from "./unused.ts";

/** Keys whose grants are read per transaction; the event loop gets a turn between slices. */
const KEYS_PER_READ = 200;
/** Grants named per key; the rest are counted. */
const GRANTS_SHOWN = 4;

const keyText = (k: ApiKey) => `${quote(k.name)} (${k.publicId})`;

export interface UsageSection {
  title: string;
  items: DigestItem[];
}

export async function leastPrivilegeSections(
  ctx: Ctx,
  keys: readonly ApiKey[],
  now: Date,
): Promise<UsageSection[]> {
  const fromDay = dayOf(now) - LONG_UNUSED_DAYS;
  const since = await ctx.uow.run((tx) => countingSince(tx));
  const grantsUnused: DigestItem[] = [];
  const keysUnused: DigestItem[] = [];
  for (let i = 0; i < keys.length; i += KEYS_PER_READ) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const slice = keys.slice(i, i + KEYS_PER_READ);
    const use = await ctx.uow.run((tx) =>
      tx.usage.grantUse(
        slice.map((k) => k.id),
        fromDay,
      ),
    );
    for (const key of slice) {
      const advice = advise(key, use.get(key.id) ?? [], since, now);
      if (advice.kind === "key_unused" && advice.idleDays < LONG_UNUSED_DAYS) {
        keysUnused.push({
          text: `${keyText(key)}: ${advice.lastUsedAt ? `last used ${timeRef(advice.lastUsedAt)}` : `never used, created ${timeRef(key.createdAt)}`}`,
          action: { label: "Disable", kind: "key", id: key.id, verb: "disable" },
        });
      }
      if (advice.kind === "grants_unused") {
        const shown = advice.grants.slice(0, GRANTS_SHOWN).map(unusedText);
        const more = advice.grants.length - shown.length;
        grantsUnused.push({
          text: `${keyText(key)}: ${shown.join("; ")}${more > 0 ? `; and ${more} more` : ""}`,
          action: {
            label: "Remove unused grants",
            kind: "unused_grants",
            id: key.id,
            version: key.version,
            since: advice.since,
          },
        });
      }
    }
  }
  return [
    { title: `Grants unused for ${UNUSED_DAYS} days`, items: grantsUnused },
    { title: `Keys not used in ${UNUSED_DAYS} days`, items: keysUnused },
  ];
}
