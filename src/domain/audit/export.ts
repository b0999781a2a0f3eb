// Audit export: the events matching a filter as a CSV file in the DM of the person who asked.
// Asking is one transaction: it bounds what matched, records the export in the audit log and
// enqueues the notice the delivery worker turns into the file. At most AUDIT_EXPORT_MAX events
// go in one file; past that the file holds the newest ones and says so, and the answer gives
// the time of the oldest included so the rest can be exported with `until:`.
import type { Ctx } from "../context.ts";
import { notFound } from "../errors.ts";
import type { AuditExportNotice, StoredAuditQuery } from "../notices.ts";
import { requirePermission } from "../permissions.ts";
import type { AuditQuery } from "../ports.ts";
import type { AuditEvent } from "../types.ts";
import { auditCsvHeader, auditCsvRow } from "./csv.ts";
import { type AuditFilter, describeFilter } from "./filter.ts";
import { type FilterKey, resolveFilter } from "./resolve.ts";

export const AUDIT_EXPORT_MAX = 10_000;

export interface AuditExportResult {
  /** Events the file holds. */
  count: number;
  /** More than AUDIT_EXPORT_MAX matched: the file holds the newest `count`. */
  truncated: boolean;
  /** The oldest and newest event in the file. */
  oldestAt: Date;
  newestAt: Date;
  key: FilterKey | null;
  filename: string;
}

const stamp = (d: Date) => d.toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");

export async function exportAudit(
  ctx: Ctx,
  actor: string,
  input: { filter: AuditFilter },
): Promise<AuditExportResult> {
  return ctx.uow.run(async (tx) => {
    await requirePermission(ctx, tx, actor, "audit");
    const now = ctx.clock.now();
    const { query, key } = await resolveFilter(tx, input.filter);
    // Ids only: bounding the export reads no event rows.
    const ids = await tx.audit.searchIds(query, AUDIT_EXPORT_MAX + 1);
    const throughId = ids[0];
    const fromId = ids[Math.min(ids.length, AUDIT_EXPORT_MAX) - 1];
    if (throughId === undefined || fromId === undefined) {
      throw notFound("No audit events match that filter: there is nothing to export.");
    }
    const count = Math.min(ids.length, AUDIT_EXPORT_MAX);
    const truncated = ids.length > AUDIT_EXPORT_MAX;
    const [newest] = await tx.audit.search({ ...query, beforeId: throughId + 1 }, 1);
    const [oldest] = await tx.audit.search({ ...query, beforeId: fromId + 1 }, 1);
    const description = describeFilter(input.filter);
    const filename = `keyward-audit-${stamp(now)}.csv`;
    await tx.audit.append({
      at: now,
      actor,
      action: "audit.exported",
      ...(key?.live ? { keyId: key.keyId, keyName: key.name, keyPublicId: key.publicId } : {}),
      diff: {
        after: { filter: stored(query), events: count, truncated },
        changes: [
          `Exported ${count} audit event${count === 1 ? "" : "s"} as CSV (${description})${
            truncated ? `: the newest ${AUDIT_EXPORT_MAX} of more` : ""
          }`,
        ],
      },
    });
    const notice: AuditExportNotice = {
      type: "audit_export",
      query: stored(query),
      fromId,
      throughId,
      count,
      truncated,
      description,
      filename,
    };
    await tx.outbox.enqueue([{ kind: "dm", recipient: actor, notice }], now);
    return {
      count,
      truncated,
      oldestAt: (oldest as AuditEvent).at,
      newestAt: (newest as AuditEvent).at,
      key,
      filename,
    };
  });
}

function stored(q: AuditQuery): StoredAuditQuery {
  return {
    ...(q.key ? { key: q.key } : {}),
    ...(q.actor !== undefined ? { actor: q.actor } : {}),
    ...(q.actions ? { actions: [...q.actions] } : {}),
    ...(q.since ? { since: q.since.toISOString() } : {}),
    ...(q.until ? { until: q.until.toISOString() } : {}),
  };
}

function restored(q: StoredAuditQuery): AuditQuery {
  return {
    ...q,
    since: q.since ? new Date(q.since) : undefined,
    until: q.until ? new Date(q.until) : undefined,
  };
}

/** How many events one read of an export takes: small, so no read holds the process long. */
export const EXPORT_PAGE = 250;

/**
 * The file of an export notice, for its delivery: the recipient must still be allowed to read
 * the audit log. Events are read in pages, each its own short transaction, with a pause for
 * other work between them; the file lists them oldest first.
 */
export async function exportFile(
  ctx: Ctx,
  recipient: string,
  notice: AuditExportNotice,
): Promise<{ csv: string; count: number }> {
  const query = restored(notice.query);
  const rows: string[] = [];
  let before = notice.throughId + 1;
  let first = true;
  for (;;) {
    const page = await ctx.uow.run(async (tx) => {
      if (first) await requirePermission(ctx, tx, recipient, "audit");
      return tx.audit.search({ ...query, fromId: notice.fromId, beforeId: before }, EXPORT_PAGE);
    });
    first = false;
    for (const e of page) rows.push(auditCsvRow(e));
    const last = page[page.length - 1];
    if (!last || page.length < EXPORT_PAGE) break;
    before = last.id;
    await new Promise((r) => setImmediate(r));
  }
  rows.reverse();
  return { csv: auditCsvHeader() + rows.join(""), count: rows.length };
}
