// Audit search for owners and on-call: by key, actor, action and time, newest first, paged by
// event id (a cursor that new events never shift).
import type { Ctx } from "../context.ts";
import { invalid } from "../errors.ts";
import { requirePermission } from "../permissions.ts";
import type { AuditEvent } from "../types.ts";
import type { AuditFilter } from "./filter.ts";
import { type FilterKey, resolveFilter } from "./resolve.ts";

export const AUDIT_PAGE_MAX = 100;

export interface AuditSearch {
  filter: AuditFilter;
  /** The previous page's `nextBefore`; absent for the newest page. */
  before?: number;
  /** Events per page, 1–100. */
  limit: number;
}

export interface AuditSearchPage {
  events: AuditEvent[];
  /** Pass as `before` for the next (older) page; null when there is none. */
  nextBefore: number | null;
  /** The key the filter named, when it names one. */
  key: FilterKey | null;
}

export async function searchAudit(
  ctx: Ctx,
  actor: string,
  s: AuditSearch,
): Promise<AuditSearchPage> {
  if (!Number.isInteger(s.limit) || s.limit < 1 || s.limit > AUDIT_PAGE_MAX) {
    throw invalid(`A page holds 1 to ${AUDIT_PAGE_MAX} events.`);
  }
  if (s.before !== undefined && (!Number.isInteger(s.before) || s.before < 1)) {
    throw invalid("That page cursor is not valid.");
  }
  return ctx.uow.run(async (tx) => {
    await requirePermission(ctx, tx, actor, "audit");
    const { query, key } = await resolveFilter(tx, s.filter);
    const events = await tx.audit.search({ ...query, beforeId: s.before }, s.limit + 1);
    const page = events.slice(0, s.limit);
    const last = page[page.length - 1];
    return { events: page, nextBefore: events.length > s.limit && last ? last.id : null, key };
  });
}
