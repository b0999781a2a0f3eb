// What a person's Home tab shows: their keys, and recent activity they may see.

import type { Ctx } from "./context.ts";
import { may, roleOf } from "./permissions.ts";
import type { AccessRequest, ApiKey, AuditEvent, Role } from "./types.ts";

export interface HomeData {
  role: Role;
  myKeys: ApiKey[];
  myKeysTotal: number;
  activity: AuditEvent[];
  /** Those who decide: every pending request; others: their own recent requests. */
  requests: AccessRequest[];
}

export async function homeData(ctx: Ctx, userId: string): Promise<HomeData> {
  return ctx.uow.run(async (tx) => {
    const role = await roleOf(ctx, tx, userId);
    const { keys, total } = await tx.keys.list({ keyOwner: userId, offset: 0, limit: 15 });
    // Those who may read the audit log see all of it; others what they did or own.
    const activity = may(role, "audit")
      ? await tx.audit.list({ limit: 10 })
      : await tx.audit.list({
          limit: 10,
          involving: { actor: userId, keyIds: keys.map((k) => k.id) },
        });
    const requests = may(role, "decide")
      ? await tx.requests.list({ status: "pending", limit: 15 })
      : await tx.requests.list({ requester: userId, limit: 10 });
    return { role, myKeys: keys, myKeysTotal: total, activity, requests };
  });
}
