// What an audit search or export is narrowed to, and how people type it after
// `/apikeys audit`: `key:"Billing sync" actor:@olivia action:key.* since:2026-11-01 until:7d`,
// or a key's name alone, as before filters existed.
import { z } from "zod";
import { invalid } from "../errors.ts";
import { SYSTEM_ACTOR } from "../roles/bootstrap.ts";
import { quote, timeRef, userRef } from "../text.ts";
import type { AuditAction } from "../types.ts";
import { AUDIT_ACTIONS } from "./actions.ts";

export interface AuditFilter {
  /** A key's name (any case) or public id; a deleted key by what its events recorded. */
  key?: string;
  /** A Slack user id, or `keyward` for what Keyward did by itself (expiries). */
  actor?: string;
  /** One action (`key.rotated_compromised`) or a family (`key.*`). */
  action?: string;
  /** Events at or after. */
  since?: Date;
  /** Events before. */
  until?: Date;
}

export const AUDIT_FAMILIES = [...new Set(AUDIT_ACTIONS.map((a) => a.split(".")[0] as string))];

/** The actions a filter's `action` names; undefined when it names none we know. */
export function actionsOf(action: string): AuditAction[] | undefined {
  const a = action.trim().toLowerCase();
  if (a.endsWith(".*")) {
    const family = a.slice(0, -2);
    const all = AUDIT_ACTIONS.filter((x) => x.startsWith(`${family}.`));
    return all.length ? all : undefined;
  }
  return AUDIT_ACTIONS.find((x) => x === a) ? [a as AuditAction] : undefined;
}

export const ACTION_HELP = `an action like \`key.rotated_compromised\` or a family: ${AUDIT_FAMILIES.map((f) => `\`${f}.*\``).join(", ")}`;

const FIELDS = ["key", "actor", "action", "since", "until"] as const;
type Field = (typeof FIELDS)[number];

const actorSchema = z
  .string()
  .trim()
  // A Slack mention as a command delivers it: <@U123> or <@U123|name>.
  .transform((s) => /^<@([UW][A-Z0-9]{2,20})(\|[^>]*)?>$/.exec(s)?.[1] ?? s)
  .refine(
    (s) => s === SYSTEM_ACTOR || /^[UW][A-Z0-9]{2,20}$/.test(s),
    `actor: name a person (@someone or a user id like U0123ABCD), or ${SYSTEM_ACTOR} for what Keyward did by itself.`,
  );

const actionSchema = z
  .string()
  .trim()
  .toLowerCase()
  .refine((s) => actionsOf(s) !== undefined, `action: give ${ACTION_HELP}.`);

const DAY_MS = 24 * 60 * 60 * 1000;
const UNITS: Record<string, number> = { m: 60_000, h: 60 * 60_000, d: DAY_MS, w: 7 * DAY_MS };

/**
 * A moment as people type it: a day (`2026-11-01`, its start in their time zone; for `until`
 * its end, so the day is included), a time in ISO 8601 (`2026-11-01T09:30Z`), or an age
 * (`7d`, `12h`, `30m`, `2w`: that long before now).
 */
function moment(
  field: "since" | "until",
  now: Date,
  utcOffsetMinutes: number,
): z.ZodType<Date, string> {
  const help = `${field}: give a day like 2026-11-01, a time like 2026-11-01T09:30Z, or an age like 7d or 12h.`;
  return z
    .string()
    .trim()
    .transform((s, ctx) => {
      const age = /^(\d{1,5})([mhdw])$/.exec(s);
      if (age) return new Date(now.getTime() - Number(age[1]) * (UNITS[age[2] as string] ?? 0));
      const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
      if (day) {
        const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
        const start = Date.UTC(y, m - 1, d) - utcOffsetMinutes * 60_000;
        const check = new Date(Date.UTC(y, m - 1, d));
        if (check.getUTCMonth() === m - 1 && check.getUTCDate() === d) {
          return new Date(field === "until" ? start + DAY_MS : start);
        }
      } else if (
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/.test(s)
      ) {
        const t = Date.parse(s);
        if (Number.isFinite(t)) return new Date(t);
      }
      ctx.addIssue({ code: "custom", message: help });
      return z.NEVER;
    });
}

/** The filter from typed values (each optional); `now` and the person's offset place dates. */
export function auditFilterSchema(o: { now: Date; utcOffsetMinutes?: number }) {
  const offset = o.utcOffsetMinutes ?? 0;
  return z
    .object({
      key: z.string().trim().min(1, "key: name a key.").max(200, "key: too long.").optional(),
      actor: actorSchema.optional(),
      action: actionSchema.optional(),
      since: moment("since", o.now, offset).optional(),
      until: moment("until", o.now, offset).optional(),
    })
    .refine((f) => !f.since || !f.until || f.since < f.until, {
      message: "since must be before until.",
      path: ["until"],
    });
}

/** Splits command text into words, keeping "quoted text" (after `name:` too) as one. */
function words(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:[a-z]+:)?"[^"]*"?|\S+/gi)) out.push(m[0]);
  return out;
}

const unquote = (s: string) => s.replace(/^"/, "").replace(/"$/, "");

/**
 * The filter in command text. Words that are not `key:`, `actor:`, `action:`, `since:` or
 * `until:` make up a key's name (`/apikeys audit Billing sync`). Throws a DomainError whose
 * message says what to type instead.
 */
export function parseAuditFilter(
  text: string,
  o: { now: Date; utcOffsetMinutes?: number },
): AuditFilter {
  const raw: Partial<Record<Field, string>> = {};
  const bare: string[] = [];
  for (const word of words(text)) {
    const m = /^([a-z]+):(.*)$/is.exec(word);
    const field = m?.[1]?.toLowerCase() as Field | undefined;
    if (m && field && (FIELDS as readonly string[]).includes(field)) {
      if (raw[field] !== undefined) throw invalid(`Give ${field}: once.`, field);
      raw[field] = unquote(m[2] ?? "");
    } else bare.push(unquote(word));
  }
  if (bare.length) {
    if (raw.key !== undefined) {
      throw invalid(
        `"${quote(bare.join(" "))}" is not a filter: give the key once, as key:"its name".`,
        "key",
      );
    }
    raw.key = bare.join(" ");
  }
  const parsed = auditFilterSchema(o).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(issue?.message ?? "That filter is not valid.", issue?.path[0]?.toString());
  }
  return Object.fromEntries(
    Object.entries(parsed.data).filter(([, v]) => v !== undefined),
  ) as AuditFilter;
}

/** The filter in words (domain text: people as placeholders), for an export and its event. */
export function describeFilter(f: AuditFilter): string {
  const parts = [
    f.key !== undefined ? `key "${quote(f.key)}"` : null,
    f.actor !== undefined ? `actor ${f.actor === SYSTEM_ACTOR ? f.actor : userRef(f.actor)}` : null,
    f.action !== undefined ? `action ${f.action}` : null,
    f.since ? `since ${timeRef(f.since)}` : null,
    f.until ? `until ${timeRef(f.until)}` : null,
  ].filter((p): p is string => p !== null);
  return parts.length ? parts.join(", ") : "all events";
}
