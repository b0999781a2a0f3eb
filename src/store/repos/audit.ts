import { and, desc, eq, inArray, lt, or } from "drizzle-orm";
import { auditEvents } from "../../../db/schema.ts";
import type { AuditRepo } from "../../domain/ports.ts";
import type { AuditAction, AuditEvent } from "../../domain/types.ts";
import type { Db } from "../db.ts";

export function auditRepo(db: Db): AuditRepo {
  return {
    async append(e) {
      db.insert(auditEvents)
        .values({
          at: e.at.getTime(),
          actor: e.actor,
          action: e.action,
          keyId: e.keyId ?? null,
          keyName: e.keyName ?? null,
          keyPublicId: e.keyPublicId ?? null,
          requestId: e.requestId ?? null,
          subject: e.subject ?? null,
          reason: e.reason ?? null,
          diff: e.diff ? JSON.stringify(e.diff) : null,
        })
        .run();
    },
    async list(q) {
      return db
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
        .limit(q.limit)
        .all()
        .map(
          (r): AuditEvent => ({
            ...r,
            at: new Date(r.at),
            action: r.action as AuditAction,
            diff: r.diff ? JSON.parse(r.diff) : null,
          }),
        );
    },
  };
}
