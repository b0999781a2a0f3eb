// `/apikeys` text → a typed command, with zod. Anything it cannot read comes back as an error
// the person can act on, together with the usage.
import { z } from "zod";
import { API_IDS, NICKNAME_KINDS, type NicknameKind } from "../../domain/catalog.ts";
import { EXPIRING_DAYS, type KeyFilter } from "../../domain/keys/filter.ts";
import { PERMISSIONS, type Verb } from "../../domain/permissions.ts";
import type { Role, StoredRole } from "../../domain/types.ts";
import { nicknameSchema } from "../../domain/validation.ts";

/** A key command names its key, or opens a key picker when it names none. */
type Key = { key: string | undefined };
type Bare = Record<never, never>;

/** Every subcommand and what it carries once parsed. */
export interface Subcommands {
  help: Bare;
  /** `text` as typed (kept for paging); `filter` as read from it. */
  list: { text: string; filter: KeyFilter };
  show: Key;
  edit: Key;
  regenerate: Key;
  rotate: Key;
  disable: Key;
  enable: Key;
  delete: Key;
  create: Bare;
  request: Bare;
  requests: Bare;
  nicknames: Bare;
  roles: Bare;
  digest: Bare;
  /** The filter as typed: read with the person's time zone, when it runs. */
  audit: { text: string };
  audit_export: { text: string };
  nickname_add: { nickname: string; kind: NicknameKind };
  nickname_remove: { nickname: string };
  role_add: { userId: string; role: StoredRole };
  role_remove: { userId: string };
}
export type Subcommand = keyof Subcommands;

/** A parsed command: its subcommand's name in `cmd`, and what that subcommand carries. */
export type Command<K extends Subcommand = Subcommand> = {
  [C in K]: { cmd: C } & Subcommands[C];
}[K];

export type Parsed =
  | { ok: true; command: Command }
  | {
      ok: false;
      error: string;
      /** For a mistyped subcommand: the command the person most likely meant. */
      suggestion?: string;
    };

/** Every word that starts a subcommand, for "did you mean". */
const WORDS = [
  "help",
  "list",
  "show",
  "edit",
  "regenerate",
  "rotate",
  "disable",
  "enable",
  "delete",
  "create",
  "request",
  "requests",
  "nicknames",
  "nickname",
  "roles",
  "role",
  "audit",
  "digest",
];

/** Edits (insertions, deletions, substitutions, swaps of neighbours) from one word to another. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = v;
    }
  }
  return at(a.length, b.length);
}

/** The subcommand a mistyped word most likely meant, if one is close enough. */
export function closestSubcommand(word: string): string | undefined {
  let best: { w: string; d: number } | undefined;
  for (const w of WORDS) {
    const d = distance(word, w);
    if (!best || d < best.d) best = { w, d };
  }
  const allowed = Math.max(1, Math.floor(word.length / 3));
  return best && best.d <= allowed ? best.w : undefined;
}

const ROLE_NAMES = { owner: "owners", oncall: "on-call", member: "members" } as const;
/** ` _(owners, on-call)_`: who may, as the permission table says. */
const only = (verb: Verb) =>
  ` _(${PERMISSIONS[verb].roles.map((r: Role) => ROLE_NAMES[r]).join(", ")})_`;

export const USAGE = [
  "*`/apikeys` — manage API keys and their permissions*",
  "`/apikeys list [filters] [text]` — keys; filters `mine`, `expiring`, `disabled`, `nickname:<n>`, `api:<id>`, and text in a key's name or id, combined (`list mine api:orders:write billing`)",
  "`/apikeys show <key>` — one key: details and which nicknames can use which APIs",
  "`/apikeys request` — ask for access on a key, or for a new key",
  "`/apikeys requests` — your requests (owners: every pending one)",
  `\`/apikeys create\` — create a key${only("create")}`,
  `\`/apikeys edit <key>\` — name and permissions${only("edit")}`,
  `\`/apikeys regenerate <key>\` — new secret; breaks integrations using the old one${only("regenerate")}`,
  `\`/apikeys rotate <key>\` — a compromised key: new secret now, with a reason${only("rotate")}`,
  `\`/apikeys disable <key>\`${only("disable")} · \`/apikeys enable <key>\`${only("enable")}`,
  `\`/apikeys delete <key>\` — permanent${only("delete")}`,
  `\`/apikeys audit [filters]\` — what changed, newest first; \`/apikeys audit export [filters]\` — as a CSV file in your DM${only("audit")}`,
  "    audit filters: `key:<name or id>` `actor:@person` `action:key.*` `since:2026-11-01` `until:7d`",
  `\`/apikeys digest\` — key hygiene report${only("digest")}`,
  "`/apikeys nicknames` — the linked account nicknames",
  `\`/apikeys nickname add <nick> seller|affiliate|both\` · \`/apikeys nickname remove <nick>\`${only("nicknames")}`,
  "`/apikeys roles` — who are account owners and on-call engineers",
  `\`/apikeys role add @person owner|oncall\` · \`/apikeys role remove @person\`${only("roles")}`,
  "`<key>` is a key's name or its id (the 8 characters after `kw_`).",
].join("\n");

const keyRef = z
  .string()
  .trim()
  .min(1, "Say which key: its name or its id.")
  .max(120, "That is longer than any key name or id.");

// With should_escape, Slack sends a mention as <@U123|name>.
const person = z
  .string()
  .trim()
  .transform((s, ctx) => {
    const m = /^<@([UW][A-Z0-9]{2,20})(?:\|[^>]*)?>$/.exec(s);
    if (!m?.[1]) {
      ctx.addIssue({ code: "custom", message: "Mention the person, like `@alex`." });
      return z.NEVER;
    }
    return m[1];
  });

const kind = z.enum(NICKNAME_KINDS, { error: "The kind must be `seller`, `affiliate` or `both`." });
const role = z.enum(["owner", "oncall"], { error: "The role must be `owner` or `oncall`." });

function first<T>(r: z.ZodSafeParseResult<T>): string {
  return r.success ? "" : (r.error.issues[0]?.message ?? "That is not valid.");
}

const KEY_COMMANDS = [
  "show",
  "edit",
  "regenerate",
  "rotate",
  "disable",
  "enable",
  "delete",
] as const satisfies ReadonlyArray<Subcommand>;
const BARE_COMMANDS = [
  "create",
  "request",
  "requests",
  "nicknames",
  "roles",
  "digest",
] as const satisfies ReadonlyArray<Subcommand>;

/** Control characters never belong in a command; any run of white space counts as one space. */
function normalise(input: string): string {
  let out = "";
  for (const ch of input) {
    const c = ch.codePointAt(0) ?? 0;
    out += c < 0x20 || c === 0x7f ? " " : ch;
  }
  return out.replace(/\s+/g, " ").trim();
}

export function parseCommand(input: string): Parsed {
  const text = normalise(input);
  if (text.length > 500) return { ok: false, error: "That command is too long." };
  const [head = "", ...restWords] = text.split(" ");
  const sub = head.toLowerCase();
  const rest = restWords.join(" ");

  if (sub === "" || sub === "help") return { ok: true, command: { cmd: "help" } };
  if (sub === "list") {
    if (rest.length > 100)
      return {
        ok: false,
        error: `\`list\` searches for at most 100 characters; that was ${rest.length}.`,
      };
    const f = parseListFilter(rest);
    if (!f.ok) return f;
    return { ok: true, command: { cmd: "list", text: rest, filter: f.filter } };
  }
  if ((KEY_COMMANDS as readonly string[]).includes(sub)) {
    const cmd = sub as (typeof KEY_COMMANDS)[number];
    if (!rest) return { ok: true, command: { cmd, key: undefined } };
    const r = keyRef.safeParse(rest);
    if (!r.success) return { ok: false, error: `\`${sub}\`: ${first(r)}` };
    return { ok: true, command: { cmd, key: r.data } };
  }
  if ((BARE_COMMANDS as readonly string[]).includes(sub)) {
    if (rest) return { ok: false, error: `\`${sub}\` takes no arguments.` };
    return { ok: true, command: { cmd: sub as (typeof BARE_COMMANDS)[number] } };
  }
  if (sub === "audit") {
    const [verb = "", ...filters] = restWords;
    if (verb.toLowerCase() === "export")
      return { ok: true, command: { cmd: "audit_export", text: filters.join(" ") } };
    return { ok: true, command: { cmd: "audit", text: rest } };
  }
  if (sub === "nickname") {
    const [verb = "", nick = "", k = "", ...extra] = restWords;
    if (extra.length) return { ok: false, error: "Too many words after `nickname`." };
    if (verb === "add") {
      const n = nicknameSchema.safeParse(nick);
      if (!n.success) return { ok: false, error: first(n) };
      const kk = kind.safeParse(k.toLowerCase());
      if (!kk.success) return { ok: false, error: first(kk) };
      return { ok: true, command: { cmd: "nickname_add", nickname: n.data, kind: kk.data } };
    }
    if (verb === "remove") {
      if (k) return { ok: false, error: "`nickname remove` takes one nickname." };
      const n = nicknameSchema.safeParse(nick);
      if (!n.success) return { ok: false, error: first(n) };
      return { ok: true, command: { cmd: "nickname_remove", nickname: n.data } };
    }
    return {
      ok: false,
      error: "Use `nickname add <nick> seller|affiliate|both` or `nickname remove <nick>`.",
    };
  }
  if (sub === "role") {
    const [verb = "", who = "", r = "", ...extra] = restWords;
    if (extra.length) return { ok: false, error: "Too many words after `role`." };
    const p = person.safeParse(who);
    if (verb === "add") {
      if (!p.success) return { ok: false, error: first(p) };
      const rr = role.safeParse(r.toLowerCase());
      if (!rr.success) return { ok: false, error: first(rr) };
      return { ok: true, command: { cmd: "role_add", userId: p.data, role: rr.data } };
    }
    if (verb === "remove") {
      if (r) return { ok: false, error: "`role remove` takes one person." };
      if (!p.success) return { ok: false, error: first(p) };
      return { ok: true, command: { cmd: "role_remove", userId: p.data } };
    }
    return { ok: false, error: "Use `role add @person owner|oncall` or `role remove @person`." };
  }
  const meant = closestSubcommand(sub);
  return {
    ok: false,
    error: `There is no \`${sub.slice(0, 30)}\` subcommand.`,
    ...(meant && { suggestion: `/apikeys ${[meant, ...restWords].join(" ").slice(0, 200)}` }),
  };
}

/** The filters `list` takes, as the help and its errors name them. */
export const LIST_FILTER_HELP = `\`mine\` (keys you own), \`expiring\` (within ${EXPIRING_DAYS} days), \`disabled\`, \`nickname:<nickname>\`, \`api:<${API_IDS.join("|")}>\`, and any other words to match a key's name or id`;

const listFilterSchema = z.object({
  mine: z.literal(true).optional(),
  expiring: z.literal(true).optional(),
  disabled: z.literal(true).optional(),
  nickname: nicknameSchema.optional(),
  api: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(
      z.enum(API_IDS, {
        error: `\`api:\` takes one of ${API_IDS.map((a) => `\`${a}\``).join(", ")}.`,
      }),
    )
    .optional(),
  text: z.string().max(100).optional(),
});

const LIST_WORDS = ["mine", "expiring", "disabled"] as const;
const LIST_FIELDS = ["nickname", "api"] as const;

/** `list`'s words → a key filter; an unknown `name:` or a bad value is an error naming the valid ones. */
export function parseListFilter(
  input: string,
): { ok: true; filter: KeyFilter } | { ok: false; error: string } {
  const raw: Record<string, unknown> = {};
  const text: string[] = [];
  for (const word of normalise(input).split(" ").filter(Boolean)) {
    const lower = word.toLowerCase();
    if ((LIST_WORDS as readonly string[]).includes(lower)) {
      raw[lower] = true;
      continue;
    }
    const m = /^([a-z]+):(.*)$/i.exec(word);
    if (m) {
      const field = (m[1] ?? "").toLowerCase();
      if (!(LIST_FIELDS as readonly string[]).includes(field)) {
        return {
          ok: false,
          error: `\`${field.slice(0, 30)}:\` is not a list filter. \`list\` takes ${LIST_FILTER_HELP}.`,
        };
      }
      if (raw[field] !== undefined) return { ok: false, error: `Give \`${field}:\` once.` };
      if (!m[2])
        return {
          ok: false,
          error: `\`${field}:\` needs a value, like \`${field === "api" ? "api:orders:write" : "nickname:acme"}\`.`,
        };
      raw[field] = m[2];
      continue;
    }
    text.push(word);
  }
  if (text.length) raw.text = text.join(" ");
  const r = listFilterSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue?.path[0];
    const message = issue?.message ?? "That filter is not valid.";
    return { ok: false, error: field === "nickname" ? `\`nickname:\` ${message}` : message };
  }
  const filter = Object.fromEntries(
    Object.entries(r.data).filter(([, v]) => v !== undefined),
  ) as KeyFilter;
  return { ok: true, filter };
}
