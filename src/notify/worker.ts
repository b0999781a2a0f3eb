// Delivers the outbox. Each notification is sent at most once and at least once while Slack
// can take it: a row is claimed before its call; a call that may or may not have reached
// Slack (a timeout, a 5xx, a crash mid-call) is looked up in the conversation by the outbox id
// carried in the message's metadata before it is ever sent again. Slack's Retry-After pauses
// the whole worker; other failures back off exponentially; a refusal that would be final stops
// the retries once it repeats. What a failure means is decided in slack/failures.ts; the whole
// design: docs/design.md#notifications-and-the-outbox.
import type { WebClient } from "@slack/web-api";
import type { Clock } from "../domain/clock.ts";
import type { Ctx } from "../domain/context.ts";
import type { Log } from "../log.ts";
import { classifySlackFailure } from "../slack/failures.ts";
import type { OutboxRow, StoreTx, StoreUnitOfWork } from "../store/types.ts";
import { ExportDelivery } from "./export.ts";
import type { Outcome } from "./outcome.ts";
import type { Renderer } from "./render.ts";

const METADATA_EVENT = "keyward_notice";
/** Pages of a DM's history searched for a message in doubt (200 messages each). */
const HISTORY_PAGES = 25;
const MAX_ATTEMPTS = 12;
// A refusal that would be final (user or channel gone) is believed only when it repeats: a
// passing glitch must not cost an owner their notification.
const CONFIRM_FINAL = 3;

export interface WorkerOptions {
  /** The domain, for what a delivery reads through it (an audit export's events). */
  ctx: Ctx;
  uow: StoreUnitOfWork<StoreTx>;
  client: WebClient;
  render: Renderer;
  clock: Clock;
  log: Log;
  /** Idle poll interval; a kick wakes the worker sooner. */
  pollMs?: number;
  batch?: number;
  backoffBaseMs?: number;
  /**
   * How often to look for rows a gone instance left mid-send (besides at start): with several
   * instances on one database, one may die while others keep running.
   */
  adoptEveryMs?: number;
  /** How long posting an export's bytes to Slack's upload URL may take. */
  uploadTimeoutMs?: number;
}

export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private pausedUntil = 0;
  private again = false;
  private adoptedAt = 0;
  private readonly dmChannels = new Map<string, string>();
  private readonly exports: ExportDelivery;

  constructor(private readonly o: WorkerOptions) {
    this.exports = new ExportDelivery({
      ctx: o.ctx,
      uow: o.uow,
      client: o.client,
      dm: (userId) => this.dmChannel(userId),
      uploadTimeoutMs: o.uploadTimeoutMs,
    });
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.recoverInFlight();
    this.kick();
  }

  /** Something was enqueued: run soon. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.loop(), 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Runs until nothing is due (for tests and shutdown). */
  async drain(maxRounds = 50): Promise<void> {
    for (let i = 0; i < maxRounds; i++) {
      await this.running;
      const due = await this.o.uow.run(async (tx) => tx.outboxQueue.nextDueAt(), { quiet: true });
      if (due === null || due > this.o.clock.now().getTime()) return;
      await this.tick();
    }
  }

  private loop(): void {
    this.running = this.tick()
      .catch((e) => this.o.log.error({ err: e }, "outbox tick failed"))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        const wait = this.again ? 0 : Math.max(this.pausedUntil - Date.now(), this.o.pollMs ?? 500);
        this.again = false;
        this.timer = setTimeout(() => this.loop(), wait);
        this.timer.unref?.();
      });
  }

  private async tick(): Promise<void> {
    if (Date.now() < this.pausedUntil) return;
    if (Date.now() - this.adoptedAt >= (this.o.adoptEveryMs ?? 10_000))
      await this.recoverInFlight();
    const now = this.o.clock.now().getTime();
    const rows = await this.o.uow.run(
      async (tx) => tx.outboxQueue.claimDue(now, this.o.batch ?? 20),
      { quiet: true },
    );
    for (const row of rows) {
      if (this.stopped || Date.now() < this.pausedUntil) {
        // Slack asked us to wait: put it back untouched (what is known about it stays known).
        const at =
          Math.max(this.pausedUntil, Date.now()) - Date.now() + this.o.clock.now().getTime();
        await this.o.uow.run(async (tx) => tx.outboxQueue.putBack(row.id, at), { quiet: true });
        continue;
      }
      await this.settle(row, await this.deliver(row));
    }
  }

  private async settle(row: OutboxRow, outcome: Outcome): Promise<void> {
    const now = this.o.clock.now().getTime();
    await this.o.uow.run(
      async (tx) => {
        if (outcome.kind === "sent")
          await tx.outboxQueue.markSent(row.id, outcome.channel, outcome.ts, now);
        else if (outcome.kind === "failed" || row.attempts >= MAX_ATTEMPTS) {
          const error = outcome.kind === "failed" ? outcome.error : `gave up: ${outcome.error}`;
          await tx.outboxQueue.fail(row.id, error);
          // An export that will not arrive is told to whoever is waiting for it.
          if (row.notice.type === "audit_export") {
            const n = row.notice;
            await tx.outbox.enqueue(
              [
                {
                  kind: "dm",
                  recipient: row.recipient,
                  notice: {
                    type: "audit_export_failed",
                    count: n.count,
                    description: n.description,
                    reason: error.startsWith("refused: forbidden")
                      ? "not_allowed"
                      : row.uploadFileId
                        ? "unconfirmed"
                        : "slack",
                  },
                },
              ],
              new Date(now),
            );
          }
        } else await tx.outboxQueue.retryAt(row.id, now + outcome.afterMs, outcome);
      },
      { quiet: true },
    );
    if (outcome.kind === "failed") {
      this.o.log.warn(
        { outboxId: row.id, kind: row.kind, error: outcome.error },
        "notification could not be delivered",
      );
    }
  }

  private backoff(attempts: number): number {
    const base = this.o.backoffBaseMs ?? 1000;
    const ms = Math.min(base * 2 ** Math.max(0, attempts - 1), 5 * 60 * 1000);
    return Math.round(ms * (0.75 + Math.random() * 0.5));
  }

  /** What a failed attempt means for the row (see slack/failures.ts for the kinds). */
  private failure(row: OutboxRow, e: unknown): Exclude<Outcome, { kind: "sent" }> {
    const retry = (error: string, inDoubt: boolean, refused = false) =>
      ({ kind: "retry", afterMs: this.backoff(row.attempts), error, inDoubt, refused }) as const;
    const f = classifySlackFailure(e);
    // Not an answer from Slack (a bug, a dropped upload): Slack may have acted all the same.
    if (!f) return retry(e instanceof Error ? e.message : String(e), true);
    switch (f.kind) {
      case "rate_limited":
        this.pausedUntil = Date.now() + f.retryAfterMs;
        return { kind: "retry", afterMs: f.retryAfterMs, error: f.code, inDoubt: false };
      case "refused":
        if (!f.final) return retry(f.code, false);
        return row.refusals + 1 >= CONFIRM_FINAL
          ? { kind: "failed", error: f.code }
          : retry(f.code, false, true);
      case "in_doubt":
        return retry(f.code, true);
    }
  }

  private async deliver(row: OutboxRow): Promise<Outcome> {
    try {
      if (row.kind === "card_update") return await this.updateCards(row);
      // A file, not a message: it keeps its own record of what may have reached Slack.
      if (row.notice.type === "audit_export") return await this.exports.deliver(row, row.notice);
      if (row.inDoubt) {
        let found: { channel: string; ts: string } | null;
        try {
          found = await this.findDelivered(row);
        } catch (e) {
          // The look-up failed, not the message: it stays in doubt, and is never given up on
          // because of what the look-up was told.
          const f = this.failure(row, e);
          const afterMs = f.kind === "retry" ? f.afterMs : this.backoff(row.attempts);
          return { kind: "retry", afterMs, error: `look-up: ${f.error}`, inDoubt: true };
        }
        if (found) return { kind: "sent", ...found };
      }

      const rendered = await this.o.render(row.notice, new Date(row.createdAt), row.recipient);
      if (!rendered) return { kind: "failed", error: `no renderer for ${row.notice.type}` };
      const res = await this.o.client.chat.postMessage({
        channel: row.recipient,
        ...(row.threadTs ? { thread_ts: row.threadTs } : {}),
        text: rendered.text,
        blocks: rendered.blocks,
        unfurl_links: false,
        metadata: { event_type: METADATA_EVENT, event_payload: { outbox_id: row.id } },
      });
      return { kind: "sent", channel: res.channel ?? null, ts: res.ts ?? null };
    } catch (e) {
      return this.failure(row, e);
    }
  }

  private async updateCards(row: OutboxRow): Promise<Outcome> {
    if (row.requestId === null) return { kind: "failed", error: "card update without a request" };
    const cards = await this.o.uow.run(
      async (tx) => tx.outboxQueue.deliveredCards(row.requestId as number),
      { quiet: true },
    );
    if (cards.length === 0) return { kind: "sent", channel: null, ts: null };
    for (const card of cards) {
      // Every owner's card shows the same state, with what that owner may still do.
      const rendered = await this.o.render(row.notice, new Date(row.createdAt), card.recipient);
      if (!rendered) return { kind: "failed", error: `no renderer for ${row.notice.type}` };
      // chat.update is idempotent: repeating it after a crash shows the same card.
      await this.o.client.chat.update({
        channel: card.channel,
        ts: card.ts,
        text: rendered.text,
        blocks: rendered.blocks,
      });
    }
    return { kind: "sent", channel: null, ts: null };
  }

  /** Looks for a message this row already produced (by the outbox id in its metadata). */
  private async findDelivered(row: OutboxRow): Promise<{ channel: string; ts: string } | null> {
    const since = ((row.claimedAt ?? row.createdAt) - 10 * 60 * 1000) / 1000;
    const matches = (m: {
      metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
    }) =>
      m.metadata?.event_type === METADATA_EVENT && m.metadata.event_payload?.outbox_id === row.id;
    if (row.kind === "thread" && row.threadTs) {
      const res = await this.o.client.conversations.replies({
        channel: row.recipient,
        ts: row.threadTs,
        include_all_metadata: true,
        limit: 200,
      });
      const m = (res.messages ?? []).find(matches);
      return m?.ts ? { channel: row.recipient, ts: m.ts } : null;
    }
    const channel = await this.dmChannel(row.recipient);
    // Every page since then: a busy DM (a burst of changes) holds more than one page, and a
    // message missed here would be sent twice.
    let cursor: string | undefined;
    for (let page = 0; page < HISTORY_PAGES; page++) {
      const res = await this.o.client.conversations.history({
        channel,
        oldest: String(Math.max(0, since)),
        include_all_metadata: true,
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      const m = (res.messages ?? []).find(matches);
      if (m?.ts) return { channel, ts: m.ts };
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!res.has_more || !cursor) return null;
    }
    throw new Error(`look-up: over ${HISTORY_PAGES * 200} messages to search; kept in doubt`);
  }

  private async dmChannel(recipient: string): Promise<string> {
    if (!/^[UW]/.test(recipient)) return recipient;
    const known = this.dmChannels.get(recipient);
    if (known) return known;
    const res = await this.o.client.conversations.open({ users: recipient });
    const id = res.channel?.id;
    if (!id) throw new Error("conversations.open returned no channel");
    this.dmChannels.set(recipient, id);
    return id;
  }

  /** Rows a crashed instance left mid-call: delivered (then marked) or due again. */
  private async recoverInFlight(): Promise<void> {
    this.adoptedAt = Date.now();
    const rows = await this.o.uow.run(async (tx) => tx.outboxQueue.adoptInFlight(), {
      quiet: true,
    });
    for (const row of rows) {
      let found: { channel: string; ts: string } | null = null;
      if (row.kind !== "card_update" && row.notice.type !== "audit_export") {
        try {
          found = await this.findDelivered(row);
        } catch (e) {
          // Cannot tell yet: it stays in doubt, so the next attempt looks again first.
          this.o.log.warn(
            { outboxId: row.id, err: e },
            "could not check an interrupted notification",
          );
        }
      }
      await this.settle(
        row,
        found
          ? { kind: "sent", ...found }
          : { kind: "retry", afterMs: 0, error: "interrupted", inDoubt: true },
      );
    }
    if (rows.length)
      this.o.log.info({ rows: rows.length }, "recovered notifications interrupted by a restart");
  }
}
