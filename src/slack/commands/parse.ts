// `/apikeys` text → a typed command, with zod. Anything it cannot read comes back as an error
// the person can act on, together with the usage.
import { z } from "zod";
import { NICKNAME_KINDS } from "../../domain/catalog.ts";
import { nicknameSchema } from "../../domain/validation.ts";

export type Command =
  | { cmd: "help" }
  | { cmd: "list"; text: string }
  | {
      cmd: "show" | "edit" | "regenerate" | "rotate" | "disable" | "enable" | "delete";
      key: string;
    }
  | { cmd: "create" | "request" | "requests" | "nicknames" | "roles" | "digest" }
  | { cmd: "audit"; key: string | undefined }
  | { cmd: "nickname_add"; nickname: string; kind: (typeof NICKNAME_KINDS)[number] }
  | { cmd: "nickname_remove"; nickname: string }
  | { cmd: "role_add"; userId: string; role: "owner" | "oncall" }
  | { cmd: "role_remove"; userId: string };

/** Every subcommand, by its name in Command (the authorization matrix holds each to a row). */
export const COMMANDS = [
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
  "roles",
  "digest",
  "audit",
  "nickname_add",
  "nickname_remove",
  "role_add",
  "role_remove",
] as const satisfies ReadonlyArray<Command["cmd"]>;
// A subcommand added to Command but not listed above fails to compile here.
const listsEveryCommand: Exclude<Command["cmd"], (typeof COMMANDS)[number]> extends never
  ? true
  : never = true;
void listsEveryCommand;

export type Parsed = { ok: true; command: Command } | { ok: false; error: string };

export const USAGE = [
  "*`/apikeys` — manage API keys and their permissions*",
  "`/apikeys list [text]` — keys, optionally those whose name or id contains the text",
  "`/apikeys show <key>` — one key: details and which nicknames can use which APIs",
  "`/apikeys request` — ask for access on a key, or for a new key",
  "`/apikeys requests` — your requests (owners: every pending one)",
  "`/apikeys create` — create a key _(owners)_",
  "`/apikeys edit <key>` — name and permissions _(owners)_",
  "`/apikeys regenerate <key>` — new secret; breaks integrations using the old one _(owners)_",
  "`/apikeys rotate <key>` — a compromised key: new secret now, with a reason _(owners, on-call)_",
  "`/apikeys disable <key>` · `/apikeys enable <key>` _(owners; on-call may disable)_",
  "`/apikeys delete <key>` — permanent _(owners)_",
  "`/apikeys audit [key]` — recent changes _(owners, on-call)_",
  "`/apikeys digest` — key hygiene report _(owners, on-call)_",
  "`/apikeys nicknames` · `/apikeys nickname add <nick> seller|affiliate|both` · `/apikeys nickname remove <nick>`",
  "`/apikeys roles` · `/apikeys role add @person owner|oncall` · `/apikeys role remove @person`",
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
] as const;
const BARE_COMMANDS = ["create", "request", "requests", "nicknames", "roles", "digest"] as const;

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
  if (sub === "list") return { ok: true, command: { cmd: "list", text: rest.slice(0, 100) } };
  if ((KEY_COMMANDS as readonly string[]).includes(sub)) {
    const r = keyRef.safeParse(rest);
    if (!r.success) return { ok: false, error: `\`${sub}\`: ${first(r)}` };
    return { ok: true, command: { cmd: sub as (typeof KEY_COMMANDS)[number], key: r.data } };
  }
  if ((BARE_COMMANDS as readonly string[]).includes(sub)) {
    if (rest) return { ok: false, error: `\`${sub}\` takes no arguments.` };
    return { ok: true, command: { cmd: sub as (typeof BARE_COMMANDS)[number] } };
  }
  if (sub === "audit") return { ok: true, command: { cmd: "audit", key: rest || undefined } };
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
  return { ok: false, error: `There is no \`${sub.slice(0, 30)}\` subcommand.` };
}
