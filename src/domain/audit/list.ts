import type { Ctx } from "../context.ts";
import { findKeyByRef } from "../keys/load.ts";
import type { AuditEvent } from "../types.ts";
import { requireAuditReader } from "./readers.ts";

export interface AuditPage {
  events: AuditEvent[];
  /** Pass as `beforeId` for the next (older) page; null when there is none. */
  nextBeforeId: number | null;
  keyName: string | null;
}

/** Recent audit events, newest first, for owners and on-call; optionally one key's. */
export async function listAudit(
  ctx: Ctx,
  actor: string,
  q: { keyRef?: string; keyId?: number; beforeId?: number; limit: number },
): Promise<AuditPage> {
  return ctx.uow.run(async (tx) => {
    await requireAuditReader(ctx, tx, actor);
    let keyId = q.keyId;
    let keyName: string | null = null;
    if (q.keyRef) {
      const key = await findKeyByRef(tx, q.keyRef);
      keyId = key.id;
      keyName = key.name;
    }
    const events = await tx.audit.list({ keyId, beforeId: q.beforeId, limit: q.limit + 1 });
    const page = events.slice(0, q.limit);
    return {
      events: page,
      nextBeforeId: events.length > q.limit ? (page[page.length - 1]?.id ?? null) : null,
      keyName,
    };
  });
}
