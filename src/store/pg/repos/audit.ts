// The audit log on PostgreSQL. Transactions run concurrently, and an identity column hands out
// ids in the order rows are inserted, not committed: a reader could see id 11 while id 10 is
// still uncommitted, and a poller that moved past 11 would never see 10. So appends are held
// back to the end of their transaction and written under a lock that is released only by the
// commit (`flush`, called by the unit of work): ids are then assigned in commit order.
import {
  and,
  asc,
  desc,
  eq,
  gt,
  gte,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  or,
  type SQL,
  sql,
} from "drizzle-orm";
import { auditEvents } from "../../../../db/schema.pg.ts";
import type { AuditQuery, AuditRepo, NewAuditEvent } from "../../../domain/ports.ts";
import { LOCK_NS } from "../locks.ts";
import type { PgDb } from "../unit-of-work.ts";

/** A name as recorded (folded as the key repository folds names) or a public id. */
const recordedAs = (ref: string) =>
  or(eq(sql`lower(${auditEvents.keyName})`, ref.toLowerCase()), eq(auditEvents.keyPublicId, ref));

function matching(q: AuditQuery): SQL | undefined {
  const onNoKey = isNull(auditEvents.keyId);
  return and(
    q.key
      ? or(
          q.key.ids.length ? inArray(auditEvents.keyId, q.key.ids) : undefined,
          and(eq(sql`lower(${auditEvents.keyName})`, q.key.ref.toLowerCase()), onNoKey),
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

export interface PgAuditRepo extends AuditRepo {
  /** Writes the appended events, in commit order: call last before COMMIT. */
  flush(): Promise<void>;
}

export function auditRepo(db: PgDb): PgAuditRepo {
  const pending: NewAuditEvent[] = [];
  return {
    async append(e) {
      pending.push(e);
    },
    async flush() {
      if (pending.length === 0) return;
      // Held until this transaction ends: the next appender inserts after this commit.
      await db.execute(sql`select pg_advisory_xact_lock(${LOCK_NS}, hashtext('audit_events'))`);
      // In slices: one statement takes at most 65,535 parameters.
      while (pending.length) {
        await db.insert(auditEvents).values(
          pending.splice(0, 1000).map((e) => ({
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
          })),
        );
      }
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
        .limit(q.limit);
    },
    async search(q, limit) {
      return db
        .select()
        .from(auditEvents)
        .where(matching(q))
        .orderBy(desc(auditEvents.id))
        .limit(limit);
    },
    async searchIds(q, limit) {
      const rows = await db
        .select({ id: auditEvents.id })
        .from(auditEvents)
        .where(matching(q))
        .orderBy(desc(auditEvents.id))
        .limit(limit);
      return rows.map((r) => r.id);
    },
    async keyIdsRecordedAs(ref) {
      const rows = await db
        .selectDistinct({ keyId: auditEvents.keyId })
        .from(auditEvents)
        .where(and(recordedAs(ref), isNotNull(auditEvents.keyId)));
      return rows.map((r) => r.keyId as number);
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
        .limit(q.limit);
    },
    async nthIdAfter(afterId, n) {
      const page = db
        .select({ id: auditEvents.id })
        .from(auditEvents)
        .where(gt(auditEvents.id, afterId))
        .orderBy(asc(auditEvents.id))
        .limit(n)
        .as("page");
      const [row] = await db.select({ id: sql<number | null>`max(${page.id})` }).from(page);
      return row?.id ?? null;
    },
  };
}
