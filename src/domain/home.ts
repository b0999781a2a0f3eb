// What a person's Home tab shows, by role: the keys they answer for (owners: every key they
// administer), requests (owners: every pending one to decide), and for those who respond to
// compromises, the open incidents (live keys posted and not yet rotated), recent rotations and
// leak alerts.

import type { Ctx } from "./context.ts";
import type { KeyFilter } from "./keys/filter.ts";
import { findKeys } from "./keys/queries.ts";
import { may, roleOf } from "./permissions.ts";
import type { AccessRequest, ApiKey, AuditAction, AuditEvent, Role } from "./types.ts";

export interface Incident {
  /** The leak report that opened it. */
  event: AuditEvent;
  key: ApiKey;
}

export interface HomeData {
  role: Role;
  userId: string;
  /** Owners: every key (they administer them all); others: the keys they are key owner of. */
  keys: ApiKey[];
  keysTotal: number;
  /** Whether `keys` are every key (owners) or the person's own (`list mine`). */
  allKeys: boolean;
  /** Those who administer keys: `list expiring` and `list disabled`, the first few of each. */
  expiring: { keys: ApiKey[]; total: number };
  disabled: { keys: ApiKey[]; total: number };
  activity: AuditEvent[];
  /** Those who decide: every pending request; others: their own recent requests. */
  requests: AccessRequest[];
  /** Those who rotate: live keys posted in a channel and not rotated, disabled or deleted since. */
  incidents: Incident[];
  rotations: AuditEvent[];
  leaks: AuditEvent[];
}

/** What ends an incident: the leaked secret no longer works. */
const CLOSES: readonly AuditAction[] = [
  "key.rotated_compromised",
  "key.regenerated",
  "key.disabled",
  "key.deleted",
];

export async function homeData(ctx: Ctx, userId: string): Promise<HomeData> {
  return ctx.uow.run(async (tx) => {
    const role = await roleOf(ctx, tx, userId);
    const allKeys = may(role, "edit");
    const now = ctx.clock.now();
    const nicknames = await tx.nicknames.list();
    const find = (filter: KeyFilter, limit: number) =>
      findKeys(tx, { filter, userId, offset: 0, limit }, now, nicknames);
    // The same filters as `/apikeys list mine`, `list expiring`, `list disabled`.
    const { keys, total } = await find(allKeys ? {} : { mine: true }, 15);
    const none = { keys: [], total: 0 };
    const expiring = allKeys ? await find({ expiring: true }, 5) : none;
    const disabled = allKeys ? await find({ disabled: true }, 5) : none;
    // Those who may read the audit log see all of it; others what they did or own.
    const activity = may(role, "audit")
      ? await tx.audit.list({ limit: 10 })
      : await tx.audit.list({
          limit: 10,
          involving: { actor: userId, keyIds: keys.map((k) => k.id) },
        });
    const requests = may(role, "decide")
      ? await tx.requests.list({ status: "pending", limit: 15 })
      : await tx.requests.list({ requester: userId, limit: 10 });
    const incidents: Incident[] = [];
    let rotations: AuditEvent[] = [];
    let leaks: AuditEvent[] = [];
    if (may(role, "rotate")) {
      const recent = await tx.audit.list({ limit: 300 });
      leaks = recent.filter((e) => e.action === "key.leak_detected").slice(0, 5);
      rotations = recent
        .filter(
          (e) =>
            e.action === "key.rotated_compromised" ||
            (e.action === "key.disabled" && e.subject === "compromised"),
        )
        .slice(0, 5);
      const seen = new Set<number>();
      for (const e of recent) {
        if (e.action !== "key.leak_detected" || e.keyId === null || seen.has(e.keyId)) continue;
        seen.add(e.keyId);
        if (!e.reason?.startsWith("A live")) continue;
        const closed = recent.some(
          (x) => x.keyId === e.keyId && x.id > e.id && CLOSES.includes(x.action),
        );
        const key = closed ? undefined : await tx.keys.byId(e.keyId);
        if (key) incidents.push({ event: e, key });
      }
    }
    return {
      role,
      userId,
      keys,
      keysTotal: total,
      allKeys,
      expiring,
      disabled,
      activity,
      requests,
      incidents: incidents.slice(0, 5),
      rotations,
      leaks,
    };
  });
}
