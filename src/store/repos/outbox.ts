// The outbox: notices written with their change, and the delivery worker's view of them.
import { and, asc, eq, inArray, isNull, lte, ne, or, sql } from "drizzle-orm";
import { outbox } from "../../../db/schema.ts";
import type { OutboxRepo } from "../../domain/ports.ts";
import type { Db } from "../db.ts";
import { toOutboxRow } from "../rows.ts";
import type { OutboxQueue } from "../types.ts";

export function outboxRepo(db: Db): OutboxRepo {
  return {
    async enqueue(notices, at) {
      for (const n of notices) {
        db.insert(outbox)
          .values({
            createdAt: at,
            kind: n.kind,
            recipient: n.recipient,
            threadTs: n.threadTs ?? null,
            requestId: n.requestId ?? null,
            payload: n.notice,
            status: "pending",
            nextAttemptAt: at,
          })
          .run();
      }
    },
  };
}

/**
 * The delivery worker's operations on SQLite. One process serves a file (the store refuses a
 * second), so a row claimed by any other instance id was left by an earlier run of it.
 */
export function outboxQueue(db: Db, me: string): OutboxQueue {
  const mine = (id: number) =>
    and(eq(outbox.id, id), eq(outbox.status, "sending"), eq(outbox.claimedBy, me));
  return {
    async claimDue(now, limit) {
      const at = new Date(now);
      const rows = db
        .select()
        .from(outbox)
        .where(and(eq(outbox.status, "pending"), lte(outbox.nextAttemptAt, at)))
        .orderBy(asc(outbox.id))
        .limit(limit)
        .all();
      if (rows.length === 0) return [];
      db.update(outbox)
        .set({
          status: "sending",
          claimedAt: at,
          claimedBy: me,
          attempts: sql`${outbox.attempts} + 1`,
        })
        .where(
          inArray(
            outbox.id,
            rows.map((r) => r.id),
          ),
        )
        .run();
      return rows.map((r) => ({ ...toOutboxRow(r), attempts: r.attempts + 1, claimedAt: now }));
    },
    async adoptInFlight() {
      return db
        .update(outbox)
        .set({ claimedBy: me })
        .where(
          and(eq(outbox.status, "sending"), or(isNull(outbox.claimedBy), ne(outbox.claimedBy, me))),
        )
        .returning()
        .all()
        .map(toOutboxRow)
        .sort((a, b) => a.id - b.id);
    },
    async markSent(id, channel, ts, at) {
      db.update(outbox)
        .set({ status: "sent", channel, ts, sentAt: new Date(at), inDoubt: false, lastError: null })
        .where(mine(id))
        .run();
    },
    async retryAt(id, at, { error, inDoubt, refused }) {
      db.update(outbox)
        .set({
          status: "pending",
          nextAttemptAt: new Date(at),
          inDoubt,
          lastError: error,
          refusals: refused ? sql`${outbox.refusals} + 1` : 0,
        })
        .where(mine(id))
        .run();
    },
    async putBack(id, at) {
      db.update(outbox)
        .set({
          status: "pending",
          nextAttemptAt: new Date(at),
          attempts: sql`${outbox.attempts} - 1`,
        })
        .where(mine(id))
        .run();
    },
    async fail(id, error) {
      db.update(outbox).set({ status: "failed", lastError: error }).where(mine(id)).run();
    },
    async recordUpload(id, fileId) {
      db.update(outbox).set({ uploadFileId: fileId }).where(mine(id)).run();
    },
    async deliveredCards(requestId) {
      return db
        .select({ channel: outbox.channel, ts: outbox.ts, recipient: outbox.recipient })
        .from(outbox)
        .where(
          and(
            eq(outbox.requestId, requestId),
            eq(outbox.status, "sent"),
            eq(outbox.kind, "dm"),
            sql`${outbox.payload} ->> 'type' = 'request_card'`,
          ),
        )
        .orderBy(asc(outbox.id))
        .all()
        .flatMap((r) =>
          r.channel && r.ts ? [{ channel: r.channel, ts: r.ts, recipient: r.recipient }] : [],
        );
    },
    async oldestDueAt(now: number) {
      // Due and not picked up: a pending row past its next attempt, or a row still claimed.
      // A row waiting out its back-off after a Slack failure is not due, so not counted.
      return (
        db
          .select({
            at: sql<
              number | null
            >`min(case when ${outbox.status} = 'sending' then coalesce(${outbox.claimedAt}, ${outbox.nextAttemptAt}) else ${outbox.nextAttemptAt} end)`,
          })
          .from(outbox)
          .where(
            or(
              eq(outbox.status, "sending"),
              and(eq(outbox.status, "pending"), lte(outbox.nextAttemptAt, new Date(now))),
            ),
          )
          .get()?.at ?? null
      );
    },
    async nextDueAt() {
      return (
        db
          .select({ at: sql<number>`min(${outbox.nextAttemptAt})` })
          .from(outbox)
          .where(eq(outbox.status, "pending"))
          .get()?.at ?? null
      );
    },
    async counts() {
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
