import { and, asc, desc, eq, isNull, lte } from "drizzle-orm";
import { accessRequests } from "../../../db/schema.ts";
import type { RequestRepo } from "../../domain/ports.ts";
import type { AccessRequest, GrantCell, NotGranted, RequestDuration } from "../../domain/types.ts";
import type { Db } from "../db.ts";

type Row = typeof accessRequests.$inferSelect;
const date = (ms: number | null) => (ms === null ? null : new Date(ms));

const toRequest = (r: Row): AccessRequest => ({
  id: r.id,
  requester: r.requester,
  keyId: r.keyId,
  keyName: r.keyName,
  newKey: r.newKey,
  cells: JSON.parse(r.cells) as GrantCell[],
  duration: r.duration as RequestDuration,
  reason: r.reason,
  status: r.status,
  createdAt: new Date(r.createdAt),
  expiresAt: new Date(r.expiresAt),
  remindedAt: date(r.remindedAt),
  decidedBy: r.decidedBy,
  decidedAt: date(r.decidedAt),
  decisionReason: r.decisionReason,
  approvedCells: r.approvedCells ? (JSON.parse(r.approvedCells) as GrantCell[]) : null,
  grantsExpireAt: date(r.grantsExpireAt),
  notGranted: r.notGranted ? (JSON.parse(r.notGranted) as NotGranted[]) : null,
  revealedAt: date(r.revealedAt),
});

export function requestRepo(db: Db): RequestRepo {
  return {
    async byId(id) {
      const row = db.select().from(accessRequests).where(eq(accessRequests.id, id)).get();
      return row && toRequest(row);
    },
    async insert(r) {
      const row = db
        .insert(accessRequests)
        .values({
          requester: r.requester,
          keyId: r.keyId,
          keyName: r.keyName,
          newKey: r.newKey,
          cells: JSON.stringify(r.cells),
          duration: r.duration,
          reason: r.reason,
          status: r.status,
          createdAt: r.createdAt.getTime(),
          expiresAt: r.expiresAt.getTime(),
        })
        .returning()
        .get();
      return toRequest(row);
    },
    async decide(id, d) {
      // Guarded by status: of two concurrent decisions only the first changes a row.
      const result = db
        .update(accessRequests)
        .set({
          status: d.status,
          decidedBy: d.by,
          decidedAt: d.at.getTime(),
          decisionReason: d.reason,
          approvedCells: d.approvedCells ? JSON.stringify(d.approvedCells) : null,
          grantsExpireAt: d.grantsExpireAt?.getTime() ?? null,
          notGranted: d.notGranted ? JSON.stringify(d.notGranted) : null,
          ...(d.keyId !== undefined && { keyId: d.keyId }),
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
        .all()
        .map(toRequest);
    },
    async pendingForKey(keyId) {
      return db
        .select()
        .from(accessRequests)
        .where(and(eq(accessRequests.keyId, keyId), eq(accessRequests.status, "pending")))
        .all()
        .map(toRequest);
    },
    async pendingCreatedBefore(at) {
      return db
        .select()
        .from(accessRequests)
        .where(
          and(eq(accessRequests.status, "pending"), lte(accessRequests.createdAt, at.getTime())),
        )
        .orderBy(asc(accessRequests.id))
        .all()
        .map(toRequest);
    },
    async expiring(now) {
      return db
        .select()
        .from(accessRequests)
        .where(
          and(eq(accessRequests.status, "pending"), lte(accessRequests.expiresAt, now.getTime())),
        )
        .all()
        .map(toRequest);
    },
    async markReminded(ids, at) {
      for (const id of ids) {
        db.update(accessRequests)
          .set({ remindedAt: at.getTime() })
          .where(eq(accessRequests.id, id))
          .run();
      }
    },
    async markRevealed(id, at) {
      const r = db
        .update(accessRequests)
        .set({ revealedAt: at.getTime() })
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
