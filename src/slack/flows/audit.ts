// `/apikeys audit` and its Older button, and `/apikeys audit export`: the filter as typed, read
// in the person's time zone (a day means their day), then the search or the export.
import { tzOffset } from "@date-fns/tz";
import { exportAudit } from "../../domain/audit/export.ts";
import { ACTION_HELP, type AuditFilter, parseAuditFilter } from "../../domain/audit/filter.ts";
import { searchAudit } from "../../domain/audit/search.ts";
import { DomainError } from "../../domain/errors.ts";
import { checkPermission } from "../../domain/permissions.ts";
import { auditExportMessage, auditSearchMessage, helpMessage } from "../blocks/admin.ts";
import type { Message } from "../blocks/layout.ts";
import type { SlackDeps } from "../deps.ts";

export const AUDIT_PAGE = 15;

export const AUDIT_FILTER_HELP = [
  "*Audit filters* (any of them, together):",
  "• `key:<name or id>` — one key's events (a deleted key too, by the name its events recorded); a key's name alone works as well: `/apikeys audit Billing sync`",
  '  quote a name with spaces after `key:`: `key:"Billing sync"`',
  "• `actor:@person` — what someone did; `actor:keyward` for what Keyward did by itself",
  `• \`action:…\` — ${ACTION_HELP}`,
  "• `since:` and `until:` — a day (`2026-11-01`, in your time zone; `until:` includes the day), a time (`2026-11-01T09:30Z`) or an age (`30m`, `12h`, `7d`, `2w`)",
  "`/apikeys audit export [filters]` sends the matching events as a CSV file to your DM.",
].join("\n");

/** Minutes east of UTC where the person is (their Slack time zone), now. */
async function offsetOf(deps: SlackDeps, userId: string, at: Date): Promise<number> {
  const tz = await deps.people.timeZone(userId);
  if (!tz) return 0;
  const minutes = tzOffset(tz, at);
  return Number.isFinite(minutes) ? minutes : 0;
}

/** The filter, or the help with what was wrong: a mistake in a filter shows every filter. */
async function filterOf(
  deps: SlackDeps,
  userId: string,
  text: string,
  at: Date,
): Promise<{ filter: AuditFilter } | { help: Message }> {
  // Who may read the log first: a refusal says nothing about filters.
  await checkPermission(deps.ctx, userId, "audit");
  try {
    return {
      filter: parseAuditFilter(text, {
        now: at,
        utcOffsetMinutes: await offsetOf(deps, userId, at),
      }),
    };
  } catch (e) {
    if (e instanceof DomainError && e.code === "invalid")
      return { help: helpMessage(AUDIT_FILTER_HELP, e.message) };
    throw e;
  }
}

export async function auditPage(
  deps: SlackDeps,
  userId: string,
  q: { text: string; before?: number; at?: Date },
): Promise<Message> {
  const at = q.at ?? deps.ctx.clock.now();
  const f = await filterOf(deps, userId, q.text, at);
  if ("help" in f) return f.help;
  const page = await searchAudit(deps.ctx, userId, {
    filter: f.filter,
    limit: AUDIT_PAGE,
    ...(q.before !== undefined ? { before: q.before } : {}),
  });
  return auditSearchMessage(page, { filter: f.filter, text: q.text, at });
}

export async function auditExport(deps: SlackDeps, userId: string, text: string): Promise<Message> {
  const f = await filterOf(deps, userId, text, deps.ctx.clock.now());
  if ("help" in f) return f.help;
  const r = await exportAudit(deps.ctx, userId, { filter: f.filter });
  deps.kick();
  return auditExportMessage({ ...r, filter: f.filter });
}
