// A key posted in a message: tell the owners, on-call and the key's owner at once, with a link
// to the message. Found two ways: the bot reads a channel it is in (then it also warns in the
// thread, without repeating the key), or someone uses the Report leaked key shortcut on any
// message, DMs between people included (then the reporter is told, as Keyward cannot post
// there). Only strings whose checksum holds count, so lookalikes are ignored; the secret itself
// is never stored, logged or echoed. Each key in a message is reported once, however it was
// found: the automatic detection and every report share one claim per message and key.
import { keyRef, recipientsFor } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { auditKey } from "../keys/describe.ts";
import type { LeakFinding, LeakNotice, OutgoingNotice } from "../notices.ts";
import type { Tx } from "../ports.ts";
import { findKeyShaped, findSecrets, hashSecret, publicIdOf } from "../secrets.ts";
import { userRef } from "../text.ts";

export interface LeakMessage {
  channel: string;
  /** The message holding the key (an edited one keeps its ts). */
  ts: string;
  /** The thread to warn in: the message's own, or a new one under it. */
  threadTs?: string;
  /** A person's user id, or a bot's id. */
  poster: string;
  text: string;
  /** A link to the message, when Slack gave one. */
  permalink?: string | null;
}

/** How many reports that alert on-call one person may make in an hour. */
export const REPORTS_PER_HOUR = 5;
const HOUR_MS = 60 * 60 * 1000;

const claimOf = (m: { channel: string; ts: string }, secret: string) =>
  `leak:${m.channel}:${m.ts}:${publicIdOf(secret)}`;

/** Whether a string is a key's secret now, an old one, or no key's. */
async function assess(
  tx: Tx,
  secret: string,
  now: Date,
): Promise<{ finding: LeakFinding; key: Awaited<ReturnType<Tx["keys"]["byId"]>> }> {
  const hash = hashSecret(secret);
  const key = await tx.keys.byPublicId(publicIdOf(secret));
  let state: LeakFinding["state"] = "unknown";
  if (key) {
    if ((await tx.keys.currentSecretHash(key.id)) === hash) state = "live";
    else {
      const old = await tx.keys.retiredSecret(hash);
      if (old && old.keyId === key.id) state = old.validUntil > now ? "live" : "old";
    }
  }
  const ref = key && state !== "unknown" ? keyRef(key) : null;
  return { finding: { publicId: publicIdOf(secret), key: ref, state }, key: ref ? key : undefined };
}

/** Audits each known key and DMs owners, on-call and the keys' owners (and warns in the thread). */
async function alert(
  ctx: Ctx,
  tx: Tx,
  m: LeakMessage,
  secrets: string[],
  o: { thread: boolean; reporter?: string; conversation: "channel" | "dm" },
): Promise<LeakFinding[]> {
  const now = ctx.clock.now();
  const findings: LeakFinding[] = [];
  const keyOwners: string[] = [];
  for (const secret of secrets) {
    const { finding, key } = await assess(tx, secret, now);
    findings.push(finding);
    if (!key) continue;
    keyOwners.push(key.keyOwner);
    const where = o.conversation === "dm" ? "in a direct message" : "in a channel";
    await tx.audit.append({
      at: now,
      actor: m.poster,
      action: "key.leak_detected",
      ...auditKey(key),
      subject: m.channel,
      reason: `A ${finding.state === "live" ? "live" : "retired"} secret was posted ${where}${m.permalink ? `: ${m.permalink}` : ""}.`,
      ...(o.reporter
        ? {
            diff: {
              changes: [`Reported by ${userRef(o.reporter)} with the Report leaked key shortcut`],
            },
          }
        : {}),
    });
  }
  const base: Omit<LeakNotice, "inThread"> = {
    type: "leak",
    findings,
    channel: m.channel,
    messageTs: m.ts,
    poster: m.poster,
    permalink: m.permalink ?? null,
    ...(o.reporter ? { reportedBy: o.reporter } : {}),
    ...(o.conversation === "dm" ? { conversation: "dm" as const } : {}),
  };
  // Owners, on-call (by role and by the user group) and the keys' owners, at once.
  const oncall = [
    ...(await tx.roles.list()).filter((r) => r.role === "oncall").map((r) => r.userId),
    ...(ctx.oncallGroup?.members() ?? []),
  ];
  const dmTo = await recipientsFor(tx, "", [...keyOwners, ...oncall]);
  const out: OutgoingNotice[] = dmTo.map((recipient) => ({
    kind: "dm" as const,
    recipient,
    notice: { ...base, inThread: false },
  }));
  if (o.thread) {
    out.unshift({
      kind: "thread",
      recipient: m.channel,
      threadTs: m.threadTs ?? m.ts,
      notice: { ...base, inThread: true },
    });
  }
  await tx.outbox.enqueue(out, now);
  return findings;
}

/** A message in a channel the bot is in. */
export async function reportLeak(ctx: Ctx, m: LeakMessage): Promise<LeakFinding[]> {
  const candidates = [...new Set(findSecrets(m.text))];
  if (candidates.length === 0) return [];
  return ctx.uow.run(async (tx) => {
    // Slack may deliver an event twice, and an edit repeats what the message already held.
    const found: string[] = [];
    for (const secret of candidates) {
      if (await tx.submissions.claim(claimOf(m, secret), ctx.clock.now())) found.push(secret);
    }
    if (found.length === 0) return [];
    // Seen here first: a later report of the same live secret elsewhere is not news.
    for (const secret of found) await firstSightingOf(tx, secret, ctx.clock.now());
    return alert(ctx, tx, m, found, { thread: true, conversation: "channel" });
  });
}

export interface LeakReport {
  /** Every checksum-valid key in the message, as it stands now. */
  findings: LeakFinding[];
  /** Key-shaped strings whose checksum fails, by the 8 characters a public id would be. */
  badChecksum: string[];
  /** On-call and the owners were told now. */
  alerted: boolean;
  /** Every key found had been reported before (by the bot in the channel, or by someone). */
  alreadyReported: boolean;
  /** Not sent: the reporter used up their reports for this hour. */
  limited: boolean;
}

class Limited extends Error {}

/**
 * A live secret alerts on-call the first time it is seen anywhere, whoever reports it and
 * however many reports they made: the claim is by the secret's hash (never the secret), so a
 * rotated key's new secret is news again and the same secret in another message is not.
 */
const firstSightingOf = (tx: Tx, secret: string, now: Date) =>
  tx.submissions.claim(`leak-live:${hashSecret(secret)}`, now);

/**
 * The Report leaked key shortcut, on a message the reporter pointed at. Keys already reported
 * for that message are not alerted again. A live key not reported before always alerts;
 * anything else (keys seen before, retired or unknown secrets) counts against the reporter's
 * REPORTS_PER_HOUR, so the shortcut cannot be used to flood on-call.
 */
export async function reportLeakByShortcut(
  ctx: Ctx,
  m: LeakMessage & { reporter: string; conversation: "channel" | "dm" },
): Promise<LeakReport> {
  const shaped = findKeyShaped(m.text);
  const candidates = [...new Set(shaped.valid)];
  const badChecksum = [...new Set(shaped.badChecksum.map(publicIdOf))];
  const nothing = { alerted: false, alreadyReported: false, limited: false };
  if (candidates.length === 0) return { findings: [], badChecksum, ...nothing };
  const assessAll = () =>
    ctx.uow.run(async (tx) => {
      const out: LeakFinding[] = [];
      for (const s of candidates) out.push((await assess(tx, s, ctx.clock.now())).finding);
      return out;
    });
  try {
    return await ctx.uow.run(async (tx) => {
      const now = ctx.clock.now();
      const fresh: string[] = [];
      for (const secret of candidates) {
        if (await tx.submissions.claim(claimOf(m, secret), now)) fresh.push(secret);
      }
      if (fresh.length === 0) {
        const findings: LeakFinding[] = [];
        for (const s of candidates) findings.push((await assess(tx, s, now)).finding);
        return { findings, badChecksum, ...nothing, alreadyReported: true };
      }
      let news = false;
      for (const secret of fresh) {
        if ((await assess(tx, secret, now)).finding.state !== "live") continue;
        if (await firstSightingOf(tx, secret, now)) news = true;
      }
      // Otherwise one of this hour's reports; none left rolls the claims above back.
      const hour = Math.floor(now.getTime() / HOUR_MS);
      let slot = news;
      for (let i = 0; i < REPORTS_PER_HOUR && !slot; i++) {
        slot = await tx.submissions.claim(`leak-report:${m.reporter}:${hour}:${i}`, now);
      }
      if (!slot) throw new Limited();
      await alert(ctx, tx, m, fresh, {
        thread: false,
        reporter: m.reporter,
        conversation: m.conversation,
      });
      const findings: LeakFinding[] = [];
      for (const s of candidates) findings.push((await assess(tx, s, now)).finding);
      return { findings, badChecksum, ...nothing, alerted: true };
    });
  } catch (e) {
    if (!(e instanceof Limited)) throw e;
    return { findings: await assessAll(), badChecksum, ...nothing, limited: true };
  }
}
