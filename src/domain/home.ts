// What a person's Home tab shows: their keys, and recent activity they may see.
import { roleOf } from "./access.ts";
import type { Ctx } from "./context.ts";
import type { AccessRequest, ApiKey, AuditEvent, Role } from "./types.ts";

export interface HomeData {
  role: Role;
  myKeys: ApiKey[];
  myKeysTotal: number;
  activity: AuditEvent[];
  /** Owners: every pending request; others: their own recent requests. */
  requests: AccessRequest[];
}

export async function homeData(ctx: Ctx, userId: string): Promise<HomeData> {
  return ctx.uow.run(async (tx) => {
    const role = await roleOf(ctx, tx, userId);
    const { keys, total } = await tx.keys.list({ keyOwner: userId, offset: 0, limit: 15 });
    const activity =
      role === "member"
        ? await tx.audit.list({
            limit: 10,
            involving: { actor: userId, keyIds: keys.map((k) => k.id) },
          })
        : await tx.audit.list({ limit: 10 });
    const requests =
      role === "owner"
        ? await tx.requests.list({ status: "pending", limit: 15 })
        : await tx.requests.list({ requester: userId, limit: 10 });
    return { role, myKeys: keys, myKeysTotal: total, activity, requests };
  });
}
