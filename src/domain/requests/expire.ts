// Time passing: time-bound grants end, undecided requests lapse, owners are reminded.

import { keyRef } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { describeCell } from "../grants.ts";
import { auditKey } from "../keys/describe.ts";
import { SYSTEM_ACTOR } from "../roles/bootstrap.ts";
import type { GrantCell } from "../types.ts";
import { announceDecision } from "./announce.ts";
import { REMIND_AFTER_MS } from "./rules.ts";

/** Removes grants past their expiry; tells the key owner and whoever asked for them. */
export async function expireGrants(ctx: Ctx): Promise<number> {
  return ctx.uow.run(async (tx) => {
    const now = ctx.clock.now();
    const expired = await tx.grants.expiredAt(now);
    const byKey = new Map<number, typeof expired>();
    for (const e of expired) byKey.set(e.keyId, [...(byKey.get(e.keyId) ?? []), e]);
    for (const [keyId, items] of byKey) {
      const key = await tx.keys.byId(keyId);
      if (!key) continue;
      const cells: GrantCell[] = items.map(({ grant }) => ({ scope: grant.scope, api: grant.api }));
      await tx.grants.remove(keyId, cells);
      await tx.audit.append({
        at: now,
        actor: SYSTEM_ACTOR,
        action: "grant.expired",
        ...auditKey(key),
        requestId: items[0]?.grant.requestId ?? null,
        diff: { changes: cells.map((c) => `− ${describeCell(c)}`) },
      });
      // Per request, so each requester hears about what they asked for.
      const byRequest = new Map<number | null, GrantCell[]>();
      for (const { grant } of items) {
        byRequest.set(grant.requestId, [
          ...(byRequest.get(grant.requestId) ?? []),
          { scope: grant.scope, api: grant.api },
        ]);
      }
      for (const [requestId, list] of byRequest) {
        const requester = requestId ? (await tx.requests.byId(requestId))?.requester : undefined;
        const to = new Set([key.keyOwner, ...(requester ? [requester] : [])]);
        await tx.outbox.enqueue(
          [...to].map((recipient) => ({
            kind: "dm" as const,
            recipient,
            notice: {
              type: "grant_expired" as const,
              key: keyRef(key),
              cells: list,
              requestId,
            },
          })),
          now,
        );
      }
    }
    return expired.length;
  });
}

/** Requests nobody decided within 7 days lapse; the requester is told. */
export async function expireRequests(ctx: Ctx): Promise<number> {
  return ctx.uow.run(async (tx) => {
    const now = ctx.clock.now();
    const lapsed = await tx.requests.expiring(now);
    for (const r of lapsed) {
      if (
        !(await tx.requests.decide(r.id, {
          status: "expired",
          by: SYSTEM_ACTOR,
          at: now,
          reason: "Not decided within 7 days.",
          approvedCells: null,
        }))
      )
        continue;
      await tx.audit.append({
        at: now,
        actor: SYSTEM_ACTOR,
        action: "request.expired",
        keyId: r.keyId,
        keyName: r.keyName,
        requestId: r.id,
      });
      await announceDecision(tx, r.id, r.requester, now);
    }
    return lapsed.length;
  });
}

/** One reminder a day to each owner for requests waiting more than 24 hours. */
export async function remindOwners(ctx: Ctx): Promise<number> {
  return ctx.uow.run(async (tx) => {
    const now = ctx.clock.now();
    const due = (
      await tx.requests.pendingCreatedBefore(new Date(now.getTime() - REMIND_AFTER_MS))
    ).filter(
      (r) => r.remindedAt === null || r.remindedAt.getTime() <= now.getTime() - REMIND_AFTER_MS,
    );
    if (due.length === 0) return 0;
    const ids = due.map((r) => r.id);
    const owners = await tx.roles.owners();
    await tx.outbox.enqueue(
      owners.map((recipient) => ({
        kind: "dm" as const,
        recipient,
        notice: { type: "request_reminder" as const, requestIds: ids },
      })),
      now,
    );
    await tx.requests.markReminded(ids, now);
    return due.length;
  });
}
