import type { Ctx } from "../context.ts";
import { notFound } from "../errors.ts";
import { may, roleOf } from "../permissions.ts";
import type { AccessRequest, ApiKey, Grant, Nickname, Role } from "../types.ts";
import { approvalsMissing, policyOf } from "./rules.ts";

export interface RequestView {
  request: AccessRequest;
  key: ApiKey | undefined;
  /** The key's grants now (for a new key: none). */
  grants: Grant[];
  nicknames: Nickname[];
  /** Approvals a pending request still waits for (the approval policy); 0 once decided. */
  waitingFor: number;
}

export async function getRequestView(ctx: Ctx, requestId: number): Promise<RequestView> {
  return ctx.uow.run(async (tx) => {
    const request = await tx.requests.byId(requestId);
    if (!request) throw notFound(`There is no request #${requestId}.`);
    const key = request.keyId !== null ? await tx.keys.byId(request.keyId) : undefined;
    const grants = key ? await tx.grants.forKey(key.id) : [];
    return {
      request,
      key,
      grants,
      nicknames: await tx.nicknames.list(),
      waitingFor: approvalsMissing(request, policyOf(ctx)),
    };
  });
}

export async function getRequests(ctx: Ctx, requestIds: number[]): Promise<AccessRequest[]> {
  return ctx.uow.run(async (tx) => {
    const out: AccessRequest[] = [];
    for (const id of requestIds) {
      const r = await tx.requests.byId(id);
      if (r) out.push(r);
    }
    return out;
  });
}

/** Your own requests; those who decide also get every pending one. */
export async function listRequests(
  ctx: Ctx,
  actor: string,
): Promise<{ role: Role; mine: AccessRequest[]; pending: AccessRequest[] }> {
  return ctx.uow.run(async (tx) => {
    const role = await roleOf(ctx, tx, actor);
    const mine = await tx.requests.list({ requester: actor, limit: 10 });
    const pending = may(role, "decide")
      ? await tx.requests.list({ status: "pending", limit: 20 })
      : [];
    return { role, mine, pending };
  });
}
