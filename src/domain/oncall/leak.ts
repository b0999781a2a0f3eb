// A key posted in a channel: say so in the thread (without repeating it), and tell the owners,
// on-call and the key's owner at once, with a link to the message. Only strings whose checksum holds count, so lookalikes are
// ignored; the secret itself is never stored, logged or echoed.
import { keyRef, recipientsFor } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { auditKey } from "../keys/describe.ts";
import type { LeakFinding } from "../notices.ts";
import { findSecrets, hashSecret, publicIdOf } from "../secrets.ts";

export async function reportLeak(
  ctx: Ctx,
  m: {
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
  },
): Promise<LeakFinding[]> {
  const candidates = [...new Set(findSecrets(m.text))];
  if (candidates.length === 0) return [];
  return ctx.uow.run(async (tx) => {
    // Each key in a message is reported once: Slack may deliver an event twice, and an edit
    // repeats what the message already held.
    const found: string[] = [];
    for (const secret of candidates) {
      const claim = `leak:${m.channel}:${m.ts}:${publicIdOf(secret)}`;
      if (await tx.submissions.claim(claim, ctx.clock.now())) found.push(secret);
    }
    if (found.length === 0) return [];
    const now = ctx.clock.now();
    const findings: LeakFinding[] = [];
    const keyOwners: string[] = [];
    for (const secret of found) {
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
      findings.push({ publicId: publicIdOf(secret), key: ref, state });
      if (key && ref) {
        keyOwners.push(key.keyOwner);
        await tx.audit.append({
          at: now,
          actor: m.poster,
          action: "key.leak_detected",
          ...auditKey(key),
          subject: m.channel,
          reason: `A ${state === "live" ? "live" : "retired"} secret was posted in a channel${m.permalink ? `: ${m.permalink}` : ""}.`,
        });
      }
    }
    const base = {
      type: "leak" as const,
      findings,
      channel: m.channel,
      messageTs: m.ts,
      poster: m.poster,
      permalink: m.permalink ?? null,
    };
    // Owners, on-call (by role and by the user group) and the keys' owners, at once.
    const oncall = [
      ...(await tx.roles.list()).filter((r) => r.role === "oncall").map((r) => r.userId),
      ...(ctx.oncallGroup?.members() ?? []),
    ];
    const dmTo = await recipientsFor(tx, "", [...keyOwners, ...oncall]);
    await tx.outbox.enqueue(
      [
        {
          kind: "thread" as const,
          recipient: m.channel,
          threadTs: m.threadTs ?? m.ts,
          notice: { ...base, inThread: true },
        },
        ...dmTo.map((recipient) => ({
          kind: "dm" as const,
          recipient,
          notice: { ...base, inThread: false },
        })),
      ],
      now,
    );
    return findings;
  });
}
