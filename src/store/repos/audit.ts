// The audit log on SQLite: appended with each change, searched newest first, read oldest
// first by the audit API. One connection writes, one transaction at a time, so ids are
// assigned in commit order.
import {
  and,
  asc,
  desc,
  eq,
  gt,
  gte,
  inArray,
  isNotNull,
  lt,
  lte,
  or,
  type SQL,
  sql,
} from "drizzle-orm";
import { auditEvents } from "../../../db/schema.ts";
import type { AuditQuery, AuditRepo } from "../../domain/ports.ts";
import type { Db } from "../db.ts";

/** A name as recorded or a public id; `lower()` matches the expression index. */
const recordedAs = (ref: string) =>
  or(sql`lower(${auditEvents.keyName}) = lower(${ref})`, eq(auditEvents.keyPublicId, ref));

function matching(q: AuditQuery): SQL | undefined {
  // `+key_id`: without it SQLite finds the events on no key (nickname and role changes alike)
  // by key_id and filters them, rather than using the name's or public id's index. Three flat
  // alternatives, each with an index of its own, so SQLite can search each and merge.
  const onNoKey = sql`+${auditEvents.keyId} is null`;
  return and(
    q.key
      ? or(
          q.key.ids.length ? inArray(auditEvents.keyId, q.key.ids) : undefined,
          and(eq(sql`lower(${auditEvents.keyName})`, sql`lower(${q.key.ref})`), onNoKey),
          and(eq(auditEvents.keyPublicId, q.key.ref), onNoKey),
        )
      : undefined,
    q.actor !== undefined ? eq(auditEvents.actor, q.actor) : undefined,
    q.actions ? inArray(auditEvents.action, [...q.actions]) : undefined,
    q.since ? gte(auditEvents.at, q.since) : undefined,
    q.until ? lt(auditEvents.at, q.until) : undefined,
    q.beforeId !== undefined ? lt(auditEvents.id, q.beforeId) : undefined,
    q.fromId !== undefined ? gte(auditEvents.id, q.fromId) : undefined,
  );
}

export function auditRepo(db: Db): AuditRepo {
  return {
    async append(e) {
      db.insert(auditEvents)
        .values({
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
        .all();
    },
    async search(q, limit) {
      return db
        .select()
        .from(auditEvents)
        .where(matching(q))
        .orderBy(desc(auditEvents.id))
        .limit(limit)
        .all();
    },
    async searchIds(q, limit) {
      return db
        .select({ id: auditEvents.id })
        .from(auditEvents)
        .where(matching(q))
        .orderBy(desc(auditEvents.id))
        .limit(limit)
        .all()
        .map((r) => r.id);
    },
    async keyIdsRecordedAs(ref) {
      return db
        .selectDistinct({ keyId: auditEvents.keyId })
        .from(auditEvents)
        .where(and(recordedAs(ref), isNotNull(auditEvents.keyId)))
        .all()
        .map((r) => r.keyId as number);
    },
    async after(q) {
      return db
        .select()
        .from(auditEvents)
        .where(
          and(
            gt(auditEvents.id, q.afterId),
            q.throughId !== undefined ? lte(auditEvents.id, q.throughId) : undefined,
          ),
        )
        .orderBy(asc(auditEvents.id))
        .limit(q.limit)
        .all();
    },
    async nthIdAfter(afterId, n) {
      const page = db
        .select({ id: auditEvents.id })
        .from(auditEvents)
        .where(gt(auditEvents.id, afterId))
        .orderBy(asc(auditEvents.id))
        .limit(n)
        .as("page");
      return (
        db
          .select({ id: sql<number | null>`max(${page.id})` })
          .from(page)
          .get()?.id ?? null
      );
    },
  };
}
