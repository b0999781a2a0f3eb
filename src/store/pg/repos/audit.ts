import { and, desc, eq, inArray, lt, or } from "drizzle-orm";
import { auditEvents } from "../../../../db/schema.pg.ts";
import type { AuditRepo } from "../../../domain/ports.ts";
import type { AuditAction, AuditDiff, AuditEvent } from "../../../domain/types.ts";
import type { PgDb } from "../unit-of-work.ts";

export function auditRepo(db: PgDb): AuditRepo {
  return {
    async append(e) {
      await db.insert(auditEvents).values({
        at: e.at,
        actor: e.actor,
        action: e.action,
        keyId: e.keyId ?? null,
        keyName: e.keyName ?? null,
        keyPublicId: e.keyPublicId ?? null,
        requestId: e.requestId ?? null,
        subject: e.subject ?? null,
        reason: e.reason ?? null,
        diff: e.diff ?? null,
      });
    },
    async list(q) {
      const rows = await db
        .select()
        .from(auditEvents)
        .where(
          and(
            q.keyId !== undefined ? eq(auditEvents.keyId, q.keyId) : undefined,
            q.beforeId !== undefined ? lt(auditEvents.id, q.beforeId) : undefined,
            q.involving
              ? or(
                  eq(auditEvents.actor, q.involving.actor),
                  q.involving.keyIds.length
                    ? inArray(auditEvents.keyId, q.involving.keyIds)
                    : undefined,
                )
              : undefined,
          ),
        )
        .orderBy(desc(auditEvents.id))
        .limit(q.limit);
      return rows.map(
        (r): AuditEvent => ({
          ...r,
          action: r.action as AuditAction,
          diff: (r.diff as AuditDiff | null) ?? null,
        }),
      );
    },
  };
}
