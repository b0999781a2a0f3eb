// Requests left waiting: after ESCALATE_AFTER_HOURS, on-call (by role and by the on-call user
// group) are told once, with who was asked, so that someone chases the account owners. Once:
// the request's row records it in the transaction that queues the DMs, guarded so that a
// second run (after a restart, or on another instance) finds it done.
import type { Ctx } from "../context.ts";
import { SYSTEM_ACTOR } from "../roles/bootstrap.ts";
import { policyOf } from "./rules.ts";

const HOUR_MS = 60 * 60 * 1000;

/** Tells on-call of each request waiting past the policy's hours, once; how many were told. */
export async function escalateRequests(ctx: Ctx): Promise<number> {
  const hours = policyOf(ctx).escalateAfterHours;
  if (hours <= 0) return 0;
  return ctx.uow.run(async (tx) => {
    const now = ctx.clock.now();
    const due = await tx.requests.escalationDue(new Date(now.getTime() - hours * HOUR_MS));
    if (due.length === 0) return 0;
    const oncall = new Set([
      ...(await tx.roles.list()).filter((r) => r.role === "oncall").map((r) => r.userId),
      ...(ctx.oncallGroup?.members() ?? []),
    ]);
    const owners = await tx.roles.owners();
    let sent = 0;
    for (const r of due) {
      const to = [...oncall].filter((u) => u !== r.requester);
      // Nobody on call now: left for a run that finds someone.
      if (to.length === 0) continue;
      if (!(await tx.requests.markEscalated(r.id, now))) continue;
      const approved = new Set(r.approvals.map((a) => a.by));
      const asked = owners.filter((o) => o !== r.requester && !approved.has(o));
      const waited = Math.floor((now.getTime() - r.createdAt.getTime()) / HOUR_MS);
      await tx.audit.append({
        at: now,
        actor: SYSTEM_ACTOR,
        action: "request.escalated",
        keyId: r.keyId,
        keyName: r.keyName,
        requestId: r.id,
        diff: { after: { oncall: to, asked }, changes: [`undecided after ${waited} hours`] },
      });
      await tx.outbox.enqueue(
        to.map((recipient) => ({
          kind: "dm" as const,
          recipient,
          requestId: r.id,
          notice: { type: "request_escalation" as const, requestId: r.id, asked, hours: waited },
        })),
        now,
      );
      sent++;
    }
    return sent;
  });
}
