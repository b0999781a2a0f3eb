import { and, asc, desc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import { accessRequests } from "../../../db/schema.ts";
import type { RequestRepo } from "../../domain/ports.ts";
import type { Db } from "../db.ts";

/** A pending request holding exactly `expected` approvals: the compare-and-set's guard. */
const pendingWithApprovals = (id: number, expected: number) =>
  and(
    eq(accessRequests.id, id),
    eq(accessRequests.status, "pending"),
    sql`json_array_length(${accessRequests.approvals}) = ${expected}`,
  );

export function requestRepo(db: Db): RequestRepo {
  return {
    async byId(id) {
      return db.select().from(accessRequests).where(eq(accessRequests.id, id)).get();
    },
    async insert(r) {
      return db
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
        .returning()
        .get();
    },
    async decide(id, d) {
      // Guarded by status: of two concurrent decisions only the first changes a row.
      const result = db
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
        .run();
      return result.changes === 1;
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
        .limit(q.limit)
        .all();
    },
    async pendingForKey(keyId) {
      return db
        .select()
        .from(accessRequests)
        .where(and(eq(accessRequests.keyId, keyId), eq(accessRequests.status, "pending")))
        .orderBy(asc(accessRequests.id))
        .all();
    },
    async pendingCreatedBefore(at) {
      return db
        .select()
        .from(accessRequests)
        .where(and(eq(accessRequests.status, "pending"), lte(accessRequests.createdAt, at)))
        .orderBy(asc(accessRequests.id))
        .all();
    },
    async expiring(now) {
      return db
        .select()
        .from(accessRequests)
        .where(and(eq(accessRequests.status, "pending"), lte(accessRequests.expiresAt, now)))
        .orderBy(asc(accessRequests.id))
        .all();
    },
    async markReminded(ids, at) {
      db.update(accessRequests)
        .set({ remindedAt: at })
        .where(inArray(accessRequests.id, ids))
        .run();
    },
    async addApproval(id, expected, approval) {
      const r = db
        .update(accessRequests)
        .set({
          approvals: sql`json_insert(${accessRequests.approvals}, '$[#]', json(${JSON.stringify(approval)}))`,
        })
        .where(pendingWithApprovals(id, expected))
        .run();
      return r.changes === 1;
    },
    async replaceApprovals(id, expected, list) {
      const r = db
        .update(accessRequests)
        .set({ approvals: list })
        .where(pendingWithApprovals(id, expected))
        .run();
      return r.changes === 1;
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
        .orderBy(asc(accessRequests.id))
        .all();
    },
    async markEscalated(id, at) {
      const r = db
        .update(accessRequests)
        .set({ escalatedAt: at })
        .where(
          and(
            eq(accessRequests.id, id),
            eq(accessRequests.status, "pending"),
            isNull(accessRequests.escalatedAt),
          ),
        )
        .run();
      return r.changes === 1;
    },
    async markRevealed(id, at) {
      const r = db
        .update(accessRequests)
        .set({ revealedAt: at })
        .where(
          and(
            eq(accessRequests.id, id),
            eq(accessRequests.status, "approved"),
            isNull(accessRequests.revealedAt),
          ),
        )
        .run();
      return r.changes === 1;
    },
  };
}
