// Nicknames, roles, audit and help as messages.
import type { KnownBlock } from "@slack/types";
import { type AuditFilter, describeFilter } from "../../domain/audit/filter.ts";
import type { AuditPage } from "../../domain/audit/list.ts";
import type { AuditSearchPage } from "../../domain/audit/search.ts";
import { API_LABELS } from "../../domain/catalog.ts";
import type { AuditEvent, Nickname, RoleAssignment } from "../../domain/types.ts";
import { ACTION_ID } from "./ids.ts";
import { actions, button, context, type Message, packLines, section } from "./layout.ts";
import { cut, esc, listSome, mention, mrkdwnOf, when } from "./text.ts";
import { auditPageValue, encode } from "./values.ts";

export function helpMessage(usage: string, error?: string): Message {
  const blocks: KnownBlock[] = [];
  if (error) blocks.push(section(`:warning: ${error}`));
  blocks.push(section(usage));
  return { text: error ? `${error} — see /apikeys help` : "How to use /apikeys", blocks };
}

/** A mistyped subcommand: what was probably meant, in one line. */
export function suggestionMessage(error: string, suggestion: string): Message {
  const text = `${error} Did you mean \`${esc(suggestion)}\`? \`/apikeys help\` lists every command.`;
  return { text, blocks: [section(`:thinking_face: ${text}`)] };
}

export function nicknamesMessage(nicknames: Nickname[], canChange: boolean): Message {
  const kinds = { seller: "seller", affiliate: "affiliate", both: "seller & affiliate" } as const;
  const lines = nicknames.map((n) => `• \`${n.nickname}\` — ${kinds[n.kind]}`);
  const blocks = [
    section(`*Linked account nicknames* (${nicknames.length})`),
    ...packLines(lines.length ? lines : ["_None linked yet._"], 40),
    context(
      canChange
        ? "`/apikeys nickname add <nick> seller|affiliate|both` · `/apikeys nickname remove <nick>`"
        : `${API_LABELS.products} is for sellers only.`,
    ),
  ];
  return { text: `${nicknames.length} linked nicknames`, blocks };
}

export function rolesMessage(roles: RoleAssignment[], canChange: boolean): Message {
  const line = (r: RoleAssignment) => `• ${mention(r.userId)} — added ${when(r.addedAt)}`;
  const owners = roles.filter((r) => r.role === "owner").map(line);
  const oncall = roles.filter((r) => r.role === "oncall").map(line);
  const blocks = [
    section(`*Account owners* (${owners.length})`),
    ...packLines(owners.length ? owners : ["_None._"], 20),
    section(`*On-call engineers* (${oncall.length})`),
    ...packLines(oncall.length ? oncall : ["_None._"], 20),
    context(
      canChange
        ? "`/apikeys role add @person owner|oncall` · `/apikeys role remove @person` · everyone else is a member"
        : "Everyone else in the workspace is a member: they can list keys and request access.",
    ),
  ];
  return { text: "Roles", blocks };
}

const ACTION_TEXT: Record<string, string> = {
  "key.created": "created",
  "key.renamed": "renamed",
  "key.permissions_changed": "changed permissions of",
  "key.regenerated": "regenerated",
  "key.rotated_compromised": "rotated (compromised)",
  "key.disabled": "disabled",
  "key.enabled": "enabled",
  "key.deleted": "deleted",
  "key.expiry_changed": "changed the expiry of",
  "key.owner_changed": "changed the key owner of",
  "key.revealed": "revealed the secret of",
  "key.leak_detected": "posted the secret of",
  "key.left_to_expire": "chose to let expire",
  "grant.expired": "— a time-bound grant expired on",
  "grant.extended": "extended time-bound access on",
  "grant.left_to_expire": "chose to let time-bound access end on",
  "request.created": "requested access",
  "request.approved": "approved a request",
  "request.denied": "denied a request",
  "request.expired": "— a request expired",
  "request.cancelled": "cancelled a request",
  "nickname.added": "linked nickname",
  "nickname.removed": "removed nickname",
  "role.added": "changed the role of",
  "role.removed": "removed the role of",
  "audit.exported": "exported the audit log",
};

/** What an event is about, as people read it: a person, a channel, or nothing internal. */
function subjectText(e: AuditEvent): string {
  const s = e.subject;
  if (!s) return "";
  if (/^[UW][A-Z0-9]+$/.test(s)) return ` ${mention(s)}`;
  if (e.action === "key.leak_detected" && /^[CG][A-Z0-9]+$/.test(s)) return ` in <#${s}>`;
  // A rotation's "compromised" is already in its words.
  if (s === "compromised") return e.action === "key.disabled" ? " (compromised)" : "";
  return ` \`${esc(s)}\``;
}

export function auditLine(e: AuditEvent): string {
  const who = /^[UW][A-Z0-9]+$/.test(e.actor) ? mention(e.actor) : `_${esc(e.actor)}_`;
  const key = e.keyName
    ? ` *${esc(e.keyName)}*${e.keyPublicId ? ` \`${e.keyPublicId}\`` : ""}`
    : "";
  const subject = subjectText(e);
  const request = e.requestId ? ` (request #${e.requestId})` : "";
  const changes = e.diff?.changes?.length
    ? `\n    ${listSome(e.diff.changes.map(mrkdwnOf), 8, " · ")}`
    : "";
  // Reports written before they carried a link named the message by its raw timestamp.
  const said = e.reason?.replace(/ \(message \d+\.\d+\)/, "");
  const reason = said ? `\n    _Reason:_ ${esc(said)}` : "";
  return `${when(e.at)} · ${who} ${ACTION_TEXT[e.action] ?? e.action}${key}${subject}${request}${changes}${reason}`;
}

export function auditMessage(page: AuditPage, keyRef?: string): Message {
  const title = page.keyName ? `*Audit log — ${esc(page.keyName)}*` : "*Audit log* (newest first)";
  const blocks: KnownBlock[] = [
    section(title),
    ...packLines(
      page.events.length ? page.events.map((e) => auditLine(e)) : ["_Nothing recorded yet._"],
      45,
    ),
  ];
  if (page.nextBeforeId !== null) {
    blocks.push(
      actions("audit_nav", [
        button(
          "Older",
          ACTION_ID.auditPage,
          encode(auditPageValue, {
            beforeId: page.nextBeforeId,
            ...(keyRef ? { keyRef: cut(keyRef, 120) } : {}),
          }),
        ),
      ]),
    );
  }
  return { text: "Audit log", blocks };
}

/**
 * An audit search: the filter in words, the events, and Older while there are more. Older
 * carries the filter as typed and the moment it was first read, so ages (`since:7d`) mean the
 * same on every page.
 */
export function auditSearchMessage(
  page: AuditSearchPage,
  q: { filter: AuditFilter; text: string; at: Date },
): Message {
  const narrowed = Object.keys(q.filter).length > 0;
  const title = narrowed
    ? `*Audit log* — ${mrkdwnOf(describeFilter(q.filter))} (newest first)`
    : "*Audit log* (newest first)";
  const blocks: KnownBlock[] = [
    section(title),
    ...packLines(
      page.events.length
        ? page.events.map((e) => auditLine(e))
        : [narrowed ? "_No events match._" : "_Nothing recorded yet._"],
      45,
    ),
  ];
  if (page.nextBefore !== null) {
    blocks.push(
      actions("audit_nav", [
        button(
          "Older",
          ACTION_ID.auditPage,
          encode(auditPageValue, {
            beforeId: page.nextBefore,
            text: cut(q.text, 500),
            at: q.at.getTime(),
          }),
        ),
      ]),
    );
  }
  blocks.push(
    context(
      `\`/apikeys audit export${q.text ? ` ${esc(cut(q.text, 300))}` : ""}\` sends every matching event as a CSV file to your DM.`,
    ),
  );
  return { text: "Audit log", blocks };
}

/** Audit export asked for: what will arrive in the DM, and when it covers. */
export function auditExportMessage(r: {
  count: number;
  truncated: boolean;
  oldestAt: Date;
  newestAt: Date;
  filter: AuditFilter;
}): Message {
  const what = `${r.count} audit event${r.count === 1 ? "" : "s"}`;
  const lines = [
    `:outbox_tray: A CSV file of ${what} (${mrkdwnOf(describeFilter(r.filter))}, ${when(r.oldestAt)} to ${when(r.newestAt)}) is on its way to your DM with Keyward.`,
  ];
  if (r.truncated) {
    lines.push(
      `More events matched than one file holds: it has the newest ${r.count}. For the rest, export again with \`until:\` set to before ${when(r.oldestAt)}.`,
    );
  }
  return { text: `Exporting ${what} to your DM`, blocks: [section(lines.join("\n"))] };
}
