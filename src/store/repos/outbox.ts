// The outbox: notices written with their change, and the delivery worker's view of them.
import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import { outbox } from "../../../db/schema.ts";
import type { Notice, OutboxKind } from "../../domain/notices.ts";
import type { OutboxRepo } from "../../domain/ports.ts";
import type { Db } from "../db.ts";

export interface OutboxRow {
  id: number;
  kind: OutboxKind;
  recipient: string;
  threadTs: string | null;
  requestId: number | null;
  notice: Notice;
  attempts: number;
  claimedAt: number | null;
  createdAt: number;
  /** Why the previous attempt failed; "ambiguous: …" when Slack may have acted on it. */
  lastError: string | null;
  /** Consecutive final-looking refusals so far. */
  refusals: number;
}

type Row = typeof outbox.$inferSelect;
const toRow = (r: Row): OutboxRow => ({
  id: r.id,
  kind: r.kind,
  recipient: r.recipient,
  threadTs: r.threadTs,
  requestId: r.requestId,
  notice: JSON.parse(r.payload) as Notice,
  attempts: r.attempts,
  claimedAt: r.claimedAt,
  createdAt: r.createdAt,
  lastError: r.lastError,
  refusals: r.refusals,
});

export function outboxRepo(db: Db): OutboxRepo {
  return {
    async enqueue(notices, at) {
      for (const n of notices) {
        db.insert(outbox)
          .values({
            createdAt: at.getTime(),
            kind: n.kind,
            recipient: n.recipient,
            threadTs: n.threadTs ?? null,
            requestId: n.requestId ?? null,
            payload: JSON.stringify(n.notice),
            status: "pending",
            nextAttemptAt: at.getTime(),
          })
          .run();
      }
    },
  };
}

/** Operations of the delivery worker; each runs inside the store's serialised transactions. */
export function outboxQueue(db: Db) {
  return {
    /** Marks up to `limit` due rows as being sent (attempt counted) and returns them. */
    claimDue(now: number, limit: number): OutboxRow[] {
      const rows = db
        .select()
        .from(outbox)
        .where(and(eq(outbox.status, "pending"), lte(outbox.nextAttemptAt, now)))
        .orderBy(asc(outbox.id))
        .limit(limit)
        .all();
      if (rows.length === 0) return [];
      db.update(outbox)
        .set({ status: "sending", claimedAt: now, attempts: sql`${outbox.attempts} + 1` })
        .where(
          inArray(
            outbox.id,
            rows.map((r) => r.id),
          ),
        )
        .run();
      return rows.map((r) => ({ ...toRow(r), attempts: r.attempts + 1, claimedAt: now }));
    },
    /** Rows a previous process claimed and never finished: they may or may not have gone out. */
    inFlight(): OutboxRow[] {
      return db.select().from(outbox).where(eq(outbox.status, "sending")).all().map(toRow);
    },
    markSent(id: number, channel: string | null, ts: string | null, at: number): void {
      db.update(outbox)
        .set({ status: "sent", channel, ts, sentAt: at, lastError: null })
        .where(eq(outbox.id, id))
        .run();
    },
    retryAt(id: number, at: number, error: string, refused = false): void {
      db.update(outbox)
        .set({
          status: "pending",
          nextAttemptAt: at,
          lastError: error,
          refusals: refused ? sql`${outbox.refusals} + 1` : 0,
        })

        .where(eq(outbox.id, id))
        .run();
    },
    /** Returns a claimed row unattempted (the attempt is not counted, nothing else changes). */
    putBack(id: number, at: number): void {
      db.update(outbox)
        .set({ status: "pending", nextAttemptAt: at, attempts: sql`${outbox.attempts} - 1` })
        .where(eq(outbox.id, id))
        .run();
    },
    fail(id: number, error: string): void {
      db.update(outbox).set({ status: "failed", lastError: error }).where(eq(outbox.id, id)).run();
    },
    /** Delivered Approve/Deny cards of a request, to update in place. */
    deliveredCards(requestId: number): Array<{ channel: string; ts: string }> {
      return db
        .select({ channel: outbox.channel, ts: outbox.ts, payload: outbox.payload })
        .from(outbox)
        .where(
          and(eq(outbox.requestId, requestId), eq(outbox.status, "sent"), eq(outbox.kind, "dm")),
        )
        .all()
        .filter(
          (r) => r.channel && r.ts && (JSON.parse(r.payload) as Notice).type === "request_card",
        )
        .map((r) => ({ channel: r.channel as string, ts: r.ts as string }));
    },
    nextDueAt(): number | null {
      return (
        db
          .select({ at: sql<number>`min(${outbox.nextAttemptAt})` })
          .from(outbox)
          .where(eq(outbox.status, "pending"))
          .get()?.at ?? null
      );
    },
    counts(): Record<string, number> {
      const out: Record<string, number> = {};
      for (const r of db
        .select({ status: outbox.status, n: sql<number>`count(*)` })
        .from(outbox)
        .groupBy(outbox.status)
        .all()) {
        out[r.status] = r.n;
      }
      return out;
    },
  };
}
export type OutboxQueue = ReturnType<typeof outboxQueue>;
