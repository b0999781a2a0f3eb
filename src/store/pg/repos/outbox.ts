// The outbox on PostgreSQL. Several instances deliver it: a due row is claimed with
// FOR UPDATE SKIP LOCKED (two workers never take the same row, nor wait on each other), and
// marked with the claiming instance's id, which stays alive as long as that instance's
// liveness lock is held (see ../listener.ts). Rows of an instance that is gone are adopted by
// another, whose worker looks each one up in Slack before sending it again.
import { and, asc, eq, inArray, isNull, lte, ne, or, sql } from "drizzle-orm";
import { outbox } from "../../../../db/schema.pg.ts";
import type { OutboxRepo } from "../../../domain/ports.ts";
import { toOutboxRow } from "../../rows.ts";
import type { OutboxQueue, OutboxRow } from "../../types.ts";
import type { PgDb } from "../unit-of-work.ts";

const byId = (a: OutboxRow, b: OutboxRow) => a.id - b.id;

export function outboxRepo(db: PgDb): OutboxRepo {
  return {
    async enqueue(notices, at) {
      if (notices.length === 0) return;
      await db.insert(outbox).values(
        notices.map((n) => ({
          createdAt: at,
          kind: n.kind,
          recipient: n.recipient,
          threadTs: n.threadTs ?? null,
          requestId: n.requestId ?? null,
          payload: n.notice,
          status: "pending" as const,
          nextAttemptAt: at,
        })),
      );
    },
  };
}

export function outboxQueue(db: PgDb, me: string): OutboxQueue {
  const mine = (id: number) =>
    and(eq(outbox.id, id), eq(outbox.status, "sending"), eq(outbox.claimedBy, me));
  return {
    async claimDue(now, limit) {
      const at = new Date(now);
      const due = db
        .select({ id: outbox.id })
        .from(outbox)
        .where(and(eq(outbox.status, "pending"), lte(outbox.nextAttemptAt, at)))
        .orderBy(asc(outbox.id))
        .limit(limit)
        .for("update", { skipLocked: true });
      const rows = await db
        .update(outbox)
        .set({
          status: "sending",
          claimedAt: at,
          claimedBy: me,
          attempts: sql`${outbox.attempts} + 1`,
        })
        // = any(array(…)) runs the locking subquery once: `in (…)` may be planned as a join
        // that rescans it, and each rescan skips to other rows, claiming more than `limit`.
        .where(and(sql`${outbox.id} = any(array(${due}))`, eq(outbox.status, "pending")))
        .returning();
      return rows.map(toOutboxRow).sort(byId);
    },
    async adoptInFlight() {
      const claimers = await db
        .selectDistinct({ by: outbox.claimedBy })
        .from(outbox)
        .where(
          and(eq(outbox.status, "sending"), or(isNull(outbox.claimedBy), ne(outbox.claimedBy, me))),
        );
      const gone: string[] = [];
      let unclaimed = false;
      for (const { by } of claimers) {
        if (by === null) unclaimed = true;
        else if (!/^\d{1,19}$/.test(by)) gone.push(by);
        else {
          // Free means its instance is gone. Held until this transaction ends, so a second
          // instance adopting at the same moment sees it taken and leaves these rows alone.
          const r = await db.execute<{ free: boolean }>(
            sql`select pg_try_advisory_xact_lock(${by}::bigint) as free`,
          );
          if (r.rows[0]?.free) gone.push(by);
        }
      }
      if (gone.length === 0 && !unclaimed) return [];
      const rows = await db
        .update(outbox)
        .set({ claimedBy: me })
        .where(
          and(
            eq(outbox.status, "sending"),
            or(
              gone.length ? inArray(outbox.claimedBy, gone) : undefined,
              unclaimed ? isNull(outbox.claimedBy) : undefined,
            ),
          ),
        )
        .returning();
      return rows.map(toOutboxRow).sort(byId);
    },
    async markSent(id, channel, ts, at) {
      await db
        .update(outbox)
        .set({ status: "sent", channel, ts, sentAt: new Date(at), inDoubt: false, lastError: null })
        .where(mine(id));
    },
    async retryAt(id, at, { error, inDoubt, refused }) {
      await db
        .update(outbox)
        .set({
          status: "pending",
          nextAttemptAt: new Date(at),
          inDoubt,
          lastError: error,
          refusals: refused ? sql`${outbox.refusals} + 1` : 0,
        })
        .where(mine(id));
    },
    async putBack(id, at) {
      await db
        .update(outbox)
        .set({
          status: "pending",
          nextAttemptAt: new Date(at),
          attempts: sql`${outbox.attempts} - 1`,
        })
        .where(mine(id));
    },
    async fail(id, error) {
      await db.update(outbox).set({ status: "failed", lastError: error }).where(mine(id));
    },
    async recordUpload(id, fileId) {
      await db.update(outbox).set({ uploadFileId: fileId }).where(mine(id));
    },
    async deliveredCards(requestId) {
      const rows = await db
        .select({ channel: outbox.channel, ts: outbox.ts, recipient: outbox.recipient })
        .from(outbox)
        .where(
          and(
            eq(outbox.requestId, requestId),
            eq(outbox.status, "sent"),
            eq(outbox.kind, "dm"),
            sql`${outbox.payload}->>'type' = 'request_card'`,
          ),
        )
        .orderBy(asc(outbox.id));
      return rows.flatMap((r) =>
        r.channel && r.ts ? [{ channel: r.channel, ts: r.ts, recipient: r.recipient }] : [],
      );
    },
    async oldestDueAt(now: number) {
      // As on SQLite: due and not picked up, not waiting out a back-off.
      const [row] = await db
        .select({
          at: sql<
            number | null
          >`(extract(epoch from min(case when ${outbox.status} = 'sending' then coalesce(${outbox.claimedAt}, ${outbox.nextAttemptAt}) else ${outbox.nextAttemptAt} end)) * 1000)::float8`,
        })
        .from(outbox)
        .where(
          or(
            eq(outbox.status, "sending"),
            and(eq(outbox.status, "pending"), lte(outbox.nextAttemptAt, new Date(now))),
          ),
        );
      return row?.at ?? null;
    },
    async nextDueAt() {
      const [row] = await db
        .select({
          at: sql<number | null>`(extract(epoch from min(${outbox.nextAttemptAt})) * 1000)::float8`,
        })
        .from(outbox)
        .where(eq(outbox.status, "pending"));
      return row?.at ?? null;
    },
    async counts() {
      const out: Record<string, number> = {};
      for (const r of await db
        .select({ status: outbox.status, n: sql<number>`count(*)::int` })
        .from(outbox)
        .groupBy(outbox.status)) {
        out[r.status] = r.n;
      }
      return out;
    },
  };
}
