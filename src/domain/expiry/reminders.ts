// Expiry reminders: 7 days and 1 day before a key expires (to its key owner and the owners)
// and before time-bound grants end (to whoever asked for them). A reminder is due only if its
// moment was still ahead when the date was set (a key made to expire in 3 days hears only the
// 1-day one), is recorded in the same transaction as its DMs (sent once, across restarts and
// instances), and a new date starts afresh. Letting an expiry pass stops its reminders.
import { keyRef } from "../changes.ts";
import type { Ctx } from "../context.ts";
import type { ExpiringGrant, ExpirySubject, Tx } from "../ports.ts";
import { SYSTEM_ACTOR } from "../roles/bootstrap.ts";
import type { ApiKey } from "../types.ts";
import { DAY_MS } from "./lifetime.ts";

export const REMINDER_STAGES = { "7d": 7 * DAY_MS, "1d": DAY_MS } as const;
export type ReminderStage = keyof typeof REMINDER_STAGES;

/** The nearest stage reached for this date now, if any. */
export function reachedStage(expiresAt: Date, now: Date): ReminderStage | undefined {
  const left = expiresAt.getTime() - now.getTime();
  if (left <= 0) return undefined;
  return left <= REMINDER_STAGES["1d"] ? "1d" : left <= REMINDER_STAGES["7d"] ? "7d" : undefined;
}

/** Whether a stage's moment was still ahead when the date was set. */
export const stageApplies = (stage: ReminderStage, expiresAt: Date, setAt: Date): boolean =>
  expiresAt.getTime() - REMINDER_STAGES[stage] > setAt.getTime();

/** The reminder due now for this date, if any: the nearest stage reached, if it applies. */
export function dueStage(expiresAt: Date, setAt: Date, now: Date): ReminderStage | undefined {
  const stage = reachedStage(expiresAt, now);
  return stage && stageApplies(stage, expiresAt, setAt) ? stage : undefined;
}

/** When a key got its current expiry: the newest creation or expiry change in the audit log. */
async function keyExpirySetAt(tx: Tx, key: ApiKey): Promise<Date> {
  const [e] = await tx.audit.search(
    { key: { ids: [key.id], ref: key.publicId }, actions: ["key.created", "key.expiry_changed"] },
    1,
  );
  return e?.at ?? key.createdAt;
}

/** Whether this stage, or a choice to let the date pass, is recorded already. */
async function claimed(
  tx: Tx,
  subject: ExpirySubject,
  id: number,
  expiresAt: Date,
  stage: ReminderStage,
): Promise<boolean> {
  const done = await tx.expiries.stages(subject, id, expiresAt);
  return done.some((d) => d.stage === stage || d.stage === "let_expire");
}

/** Records the stage unless it (or a choice to let the date pass) is recorded already. */
async function claim(
  tx: Tx,
  subject: ExpirySubject,
  id: number,
  expiresAt: Date,
  stage: ReminderStage,
  now: Date,
): Promise<boolean> {
  if (await claimed(tx, subject, id, expiresAt, stage)) return false;
  return tx.expiries.record({
    subject,
    subjectId: id,
    expiresAt,
    stage,
    at: now,
    by: SYSTEM_ACTOR,
  });
}

/** The scheduler's job: every reminder due now, each once. Returns how many were sent. */
export async function remindExpiries(ctx: Ctx): Promise<number> {
  return ctx.uow.run(async (tx) => {
    const now = ctx.clock.now();
    const until = new Date(now.getTime() + REMINDER_STAGES["7d"]);
    let sent = 0;
    const owners = await tx.roles.owners();

    for (const keyId of await tx.expiries.keysExpiring(now, until)) {
      const key = await tx.keys.byId(keyId);
      if (!key?.expiresAt || key.status !== "active") continue;
      const stage = reachedStage(key.expiresAt, now);
      // Cheap checks first: what was sent already, then the audit log for when it was set.
      if (!stage || (await claimed(tx, "key", key.id, key.expiresAt, stage))) continue;
      if (!stageApplies(stage, key.expiresAt, await keyExpirySetAt(tx, key))) continue;
      if (!(await claim(tx, "key", key.id, key.expiresAt, stage, now))) continue;
      const to = [...new Set([key.keyOwner, ...owners])];
      await tx.outbox.enqueue(
        to.map((recipient) => ({
          kind: "dm" as const,
          recipient,
          notice: {
            type: "expiry_reminder" as const,
            subject: "key" as const,
            key: keyRef(key),
            requestId: null,
            cells: [],
            expiresAt: key.expiresAt?.toISOString() ?? "",
            stage,
          },
        })),
        now,
      );
      sent += 1;
    }

    // Grants per request and date: one reminder for what one request gave.
    const groups = new Map<string, ExpiringGrant[]>();
    for (const g of await tx.expiries.grantsExpiring(now, until)) {
      const k = `${g.requestId}:${g.expiresAt.getTime()}`;
      groups.set(k, [...(groups.get(k) ?? []), g]);
    }
    for (const list of groups.values()) {
      const first = list[0] as ExpiringGrant;
      const request = await tx.requests.byId(first.requestId);
      const key = await tx.keys.byId(first.keyId);
      if (!request || !key) continue;
      const extended = (await tx.expiries.stages("grants", request.id, first.expiresAt)).find(
        (d) => d.stage === "set",
      );
      const setAt = extended?.at ?? new Date(Math.max(...list.map((g) => g.createdAt.getTime())));
      const stage = dueStage(first.expiresAt, setAt, now);
      if (!stage || !(await claim(tx, "grants", request.id, first.expiresAt, stage, now))) continue;
      await tx.outbox.enqueue(
        [
          {
            kind: "dm" as const,
            recipient: request.requester,
            notice: {
              type: "expiry_reminder" as const,
              subject: "grants" as const,
              key: keyRef(key),
              requestId: request.id,
              cells: list.map(({ scope, api }) => ({ scope, api })),
              expiresAt: first.expiresAt.toISOString(),
              stage,
            },
          },
        ],
        now,
      );
      sent += 1;
    }
    return sent;
  });
}
