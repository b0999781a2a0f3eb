// Let it expire, from an expiry reminder: no more reminders for that date, and the audit log
// says who chose so. Owners may for anything; a key owner for their key, a requester for the
// time-bound access they asked for. Pressing it again changes nothing.
import type { Ctx } from "../context.ts";
import { forbidden } from "../errors.ts";
import { auditKey } from "../keys/describe.ts";
import { may, refusal, roleOf } from "../permissions.ts";
import type { ExpirySubject } from "../ports.ts";
import { assertUnchanged } from "./extend.ts";
import { type ExpiryTarget, isParty, loadTarget } from "./target.ts";

export async function letExpire(
  ctx: Ctx,
  actor: string,
  input: { subject: ExpirySubject; id: number; at: Date },
): Promise<{ target: ExpiryTarget; already: boolean }> {
  return ctx.uow.run(async (tx) => {
    const role = await roleOf(ctx, tx, actor);
    const found = await loadTarget(tx, input.subject, input.id);
    // Whoever may not is told the same whether or not it exists.
    if (!may(role, "letExpire") && !(found && isParty(found, actor)))
      throw forbidden(refusal("letExpire"));
    const t = assertUnchanged(found, input.at);
    const now = ctx.clock.now();
    const recorded = await tx.expiries.record({
      subject: t.subject,
      subjectId: t.id,
      expiresAt: input.at,
      stage: "let_expire",
      at: now,
      by: actor,
    });
    if (recorded) {
      await tx.audit.append({
        at: now,
        actor,
        action: t.subject === "key" ? "key.left_to_expire" : "grant.left_to_expire",
        ...auditKey(t.key),
        requestId: t.subject === "grants" ? t.id : null,
        diff: { after: { expiresAt: input.at.toISOString() } },
      });
    }
    return { target: t, already: !recorded };
  });
}
