// One key's usage as Quick view and `show` present it: the last 30 days, the checks each
// grant allowed, and what least privilege suggests. Everyone who may see the key may see it.
import type { Ctx } from "../context.ts";
import { cellKey } from "../grants.ts";
import type { ApiKey, GrantCell } from "../types.ts";
import { countingSince } from "./counting.ts";
import { dayOf } from "./days.ts";
import type { CheckUse } from "./types.ts";
import { type Advice, advise, LONG_UNUSED_DAYS } from "./unused.ts";

export const SHOWN_DAYS = 30;

export interface GrantChecks {
  grant: GrantCell;
  calls: number;
  lastDay: number;
  /** The nicknames and APIs checked through it, most used first. */
  checks: CheckUse[];
}

export interface KeyUsage {
  /** The last SHOWN_DAYS days, oldest first; `calls` is null for days before counting began. */
  days: Array<{ day: number; calls: number | null; refused: number }>;
  calls: number;
  refused: number;
  /** Grants that allowed checks in those days, most used first. */
  grants: GrantChecks[];
  countingSince: Date | undefined;
  advice: Advice;
}

export async function keyUsage(ctx: Ctx, key: ApiKey): Promise<KeyUsage> {
  const now = ctx.clock.now();
  const today = dayOf(now);
  const from = today - SHOWN_DAYS + 1;
  const read = await ctx.uow.run(async (tx) => ({
    days: await tx.usage.days(key.id, from),
    checks: await tx.usage.checks(key.id, from),
    grants: (await tx.usage.grantUse([key.id], today - LONG_UNUSED_DAYS)).get(key.id) ?? [],
    since: await countingSince(tx),
  }));
  const counted = new Map(read.days.map((d) => [d.day, d]));
  const firstCounted = read.since ? dayOf(read.since) : today;
  const days: KeyUsage["days"] = [];
  for (let day = from; day <= today; day++) {
    const d = counted.get(day);
    days.push({
      day,
      calls: d ? d.calls : day < firstCounted ? null : 0,
      refused: d?.refused ?? 0,
    });
  }
  const byGrant = new Map<string, GrantChecks>();
  for (const c of read.checks) {
    const k = cellKey(c.grant);
    const g = byGrant.get(k) ?? { grant: c.grant, calls: 0, lastDay: c.lastDay, checks: [] };
    g.calls += c.calls;
    g.lastDay = Math.max(g.lastDay, c.lastDay);
    g.checks.push(c);
    byGrant.set(k, g);
  }
  const grants = [...byGrant.values()].sort((a, b) => b.calls - a.calls);
  for (const g of grants) g.checks.sort((a, b) => b.calls - a.calls);
  return {
    days,
    calls: read.days.reduce((n, d) => n + d.calls, 0),
    refused: read.days.reduce((n, d) => n + d.refused, 0),
    grants,
    countingSince: read.since,
    advice: advise(key, read.grants, read.since, now),
  };
}
