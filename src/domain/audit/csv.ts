// Audit events as CSV (RFC 4180: comma-separated, CRLF line ends, a field quoted when it holds
// a comma, a double quote, CR or LF, quotes doubled). Opened in a spreadsheet, a cell that
// starts with =, +, -, @, a tab or a CR would run as a formula: such a cell gets a leading
// apostrophe, which spreadsheets read as "text". Keyward's own values (ids, times, actions)
// never start so, so in practice this touches what people typed: names, reasons, diffs.
// Audit events never hold a secret, so neither does the file.
import { plainText } from "../text.ts";
import type { AuditDiff, AuditEvent } from "../types.ts";

export const CSV_COLUMNS = [
  "event_id",
  "time_utc",
  "actor",
  "action",
  "key_name",
  "public_id",
  "request_id",
  "subject",
  "reason",
  "diff",
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field: neutralised as a formula, then quoted if RFC 4180 requires it. */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(",")}\r\n`;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const show = (v: unknown) =>
  v === null || v === undefined ? "none" : typeof v === "string" ? v : JSON.stringify(v);

/**
 * A diff as lines people read: the change lines the notifications showed when there are some;
 * otherwise `field: before -> after` for what changed, `+ field: value` for what appeared and
 * `- field: value` for what went.
 */
export function readableDiff(diff: AuditDiff | null): string {
  if (!diff) return "";
  if (diff.changes?.length) return diff.changes.map(plainText).join("\n");
  const { before, after } = diff;
  if (!isRecord(before) && !isRecord(after)) {
    return [
      before !== undefined ? `before: ${show(before)}` : null,
      after !== undefined ? `after: ${show(after)}` : null,
    ]
      .filter((l): l is string => l !== null)
      .join("\n");
  }
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  const lines: string[] = [];
  for (const k of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (k in b && k in a) {
      if (JSON.stringify(b[k]) !== JSON.stringify(a[k]))
        lines.push(`${k}: ${show(b[k])} -> ${show(a[k])}`);
    } else if (k in a) lines.push(`+ ${k}: ${show(a[k])}`);
    else lines.push(`- ${k}: ${show(b[k])}`);
  }
  return lines.join("\n");
}

export function auditCsvHeader(): string {
  return csvLine(CSV_COLUMNS);
}

export function auditCsvRow(e: AuditEvent): string {
  return csvLine([
    String(e.id),
    e.at.toISOString(),
    e.actor,
    e.action,
    e.keyName ?? "",
    e.keyPublicId ?? "",
    e.requestId === null ? "" : String(e.requestId),
    e.subject ?? "",
    e.reason ?? "",
    readableDiff(e.diff),
  ]);
}

/** A whole file: the header, then one line per event in the order given. */
export function auditCsv(events: Iterable<AuditEvent>): string {
  let out = auditCsvHeader();
  for (const e of events) out += auditCsvRow(e);
  return out;
}
