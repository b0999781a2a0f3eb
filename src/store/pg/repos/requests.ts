import { and, asc, desc, eq, inArray, isNull, lte } from "drizzle-orm";
import { accessRequests } from "../../../../db/schema.pg.ts";
import type { RequestRepo } from "../../../domain/ports.ts";
import type { PgDb } from "../unit-of-work.ts";

export function requestRepo(db: PgDb): RequestRepo {
  return {
    async byId(id) {
      const [row] = await db.select().from(accessRequests).where(eq(accessRequests.id, id));
      return row;
    },
    async insert(r) {
      const [row] = await db
        .insert(accessRequests)
        .values({
          requester: r.requester,
          keyId: r.keyId,
          keyName: r.keyName,
          newKey: r.newKey,
          cells: r.cells,
          duration: r.duration,
          reason: r.reason,
          status: r.status,
          createdAt: r.createdAt,
          expiresAt: r.expiresAt,
        })
        .returning();
      if (!row) throw new Error("insert into access_requests returned no row");
      return row;
    },
    async decide(id, d) {
      // Guarded by status: of two decisions only the first changes the row (a concurrent one
      // on another instance fails to serialize, runs again and finds it decided).
      const changed = await db
        .update(accessRequests)
        .set({
          status: d.status,
          decidedBy: d.by,
          decidedAt: d.at,
          decisionReason: d.reason,
          approvedCells: d.approvedCells,
          grantsExpireAt: d.grantsExpireAt ?? null,
          notGranted: d.notGranted ?? null,
          ...(d.keyId !== undefined && { keyId: d.keyId }),
        })
        .where(and(eq(accessRequests.id, id), eq(accessRequests.status, "pending")))
        .returning({ id: accessRequests.id });
      return changed.length === 1;
    },
    async list(q) {
      return db
        .select()
        .from(accessRequests)
        .where(
          and(
            q.requester ? eq(accessRequests.requester, q.requester) : undefined,
            q.status ? eq(accessRequests.status, q.status) : undefined,
          ),
        )
        .orderBy(desc(accessRequests.id))
        .limit(q.limit);
    },
    async pendingForKey(keyId) {
      return db
        .select()
        .from(accessRequests)
        .where(and(eq(accessRequests.keyId, keyId), eq(accessRequests.status, "pending")))
        .orderBy(asc(accessRequests.id));
    },
    async pendingCreatedBefore(at) {
      return db
        .select()
        .from(accessRequests)
        .where(and(eq(accessRequests.status, "pending"), lte(accessRequests.createdAt, at)))
        .orderBy(asc(accessRequests.id));
    },
    async expiring(now) {
      return db
        .select()
        .from(accessRequests)
        .where(and(eq(accessRequests.status, "pending"), lte(accessRequests.expiresAt, now)))
        .orderBy(asc(accessRequests.id));
    },
    async markReminded(ids, at) {
      if (ids.length === 0) return;
      await db
        .update(accessRequests)
        .set({ remindedAt: at })
        .where(inArray(accessRequests.id, ids));
    },
    async markRevealed(id, at) {
      const changed = await db
        .update(accessRequests)
        .set({ revealedAt: at })
        .where(
          and(
            eq(accessRequests.id, id),
            eq(accessRequests.status, "approved"),
            isNull(accessRequests.revealedAt),
          ),
        )
        .returning({ id: accessRequests.id });
      return changed.length === 1;
    },
  };
}
