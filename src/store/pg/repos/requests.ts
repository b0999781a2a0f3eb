import { and, asc, desc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import { accessRequests } from "../../../../db/schema.pg.ts";
import type { RequestRepo } from "../../../domain/ports.ts";
import type { PgDb } from "../unit-of-work.ts";

/** A pending request holding exactly `expected` approvals: the compare-and-set's guard. */
const pendingWithApprovals = (id: number, expected: number) =>
  and(
    eq(accessRequests.id, id),
    eq(accessRequests.status, "pending"),
    sql`jsonb_array_length(${accessRequests.approvals}) = ${expected}`,
  );

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
          ...(d.approvals !== undefined && { approvals: d.approvals }),
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
    async addApproval(id, expected, approval) {
      // The row is locked by the update: a concurrent approval on another instance waits, then
      // fails to serialize and runs again, finding this one.
      const changed = await db
        .update(accessRequests)
        .set({
          approvals: sql`${accessRequests.approvals} || jsonb_build_array(${JSON.stringify(approval)}::jsonb)`,
        })
        .where(pendingWithApprovals(id, expected))
        .returning({ id: accessRequests.id });
      return changed.length === 1;
    },
    async replaceApprovals(id, expected, list) {
      const changed = await db
        .update(accessRequests)
        .set({ approvals: list })
        .where(pendingWithApprovals(id, expected))
        .returning({ id: accessRequests.id });
      return changed.length === 1;
    },
    async escalationDue(at) {
      return db
        .select()
        .from(accessRequests)
        .where(
          and(
            eq(accessRequests.status, "pending"),
            lte(accessRequests.createdAt, at),
            isNull(accessRequests.escalatedAt),
          ),
        )
        .orderBy(asc(accessRequests.id));
    },
    async markEscalated(id, at) {
      const changed = await db
        .update(accessRequests)
        .set({ escalatedAt: at })
        .where(
          and(
            eq(accessRequests.id, id),
            eq(accessRequests.status, "pending"),
            isNull(accessRequests.escalatedAt),
          ),
        )
        .returning({ id: accessRequests.id });
      return changed.length === 1;
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
