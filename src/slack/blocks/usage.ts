// A key's usage as people see it: the last 30 days as a sparkline (Quick view) or as numbers
// (`show`), the checks each grant allowed, and the least-privilege suggestion with its
// "Remove unused grants" button.
import type { Button, ConfirmationDialog, KnownBlock } from "@slack/types";
import { API_LABELS } from "../../domain/catalog.ts";
import { describeCell } from "../../domain/grants.ts";
import { may } from "../../domain/permissions.ts";
import type { ApiKey, GrantCell, Role } from "../../domain/types.ts";
import { isoDayOf } from "../../domain/usage/days.ts";
import type { GrantChecks, KeyUsage } from "../../domain/usage/summary.ts";
import { type Advice, UNUSED_DAYS, unusedText } from "../../domain/usage/unused.ts";
import { ACTION_ID } from "./ids.ts";
import { actions, button, context, packLines, section } from "./layout.ts";
import { cut, esc, plain, whenDay } from "./text.ts";
import { encode, unusedGrantsValue } from "./values.ts";

const BARS = "▁▂▃▄▅▆▇█";
const n = (x: number) => x.toLocaleString("en-US");
const plural = (x: number, one: string, many = `${one}s`) => `${n(x)} ${x === 1 ? one : many}`;

/**
 * One character a day, oldest first: `·` for a day without use, a bar scaled to the busiest
 * day otherwise. Days before counting began are left out. Plain characters: mrkdwn leaves them.
 */
export function sparkline(days: KeyUsage["days"]): string {
  const counted = days.filter((d) => d.calls !== null);
  const max = Math.max(0, ...counted.map((d) => d.calls ?? 0));
  return counted
    .map((d) => {
      const calls = d.calls ?? 0;
      if (calls === 0) return "·";
      return BARS[Math.min(BARS.length - 1, Math.ceil((calls / max) * BARS.length) - 1)];
    })
    .join("");
}

function totals(u: KeyUsage): string {
  const refused = u.refused ? ` · ${plural(u.refused, "check")} refused` : "";
  return `${plural(u.calls, "verification")}${refused}`;
}

const countingNote = (u: KeyUsage) =>
  u.days.some((d) => d.calls === null) && u.countingSince
    ? ` (counted since ${whenDay(u.countingSince)})`
    : "";

/** Quick view: the sparkline, then what least privilege suggests. */
export function usageQuickBlocks(p: { key: ApiKey; usage: KeyUsage; role: Role }): KnownBlock[] {
  const { usage } = p;
  return [
    section(
      `*Last ${usage.days.length} days*${countingNote(usage)}  \`${sparkline(usage.days) || "·"}\`  ${totals(usage)}`,
    ),
    ...adviceBlocks(p.key, usage.advice, p.role),
  ];
}

function adviceBlocks(key: ApiKey, advice: Advice, role: Role): KnownBlock[] {
  switch (advice.kind) {
    case "key_unused":
      return [
        section(
          `:zzz: *Unused for ${advice.idleDays} days* (${advice.lastUsedAt ? `last used ${whenDay(advice.lastUsedAt)}` : "never used"}). If nothing needs it, disable it.`,
        ),
      ];
    case "counting":
      return [
        context(
          `Unused grants are suggested after ${UNUSED_DAYS} days of counted usage: from ${whenDay(advice.ready)}.`,
        ),
      ];
    case "grants_unused": {
      const blocks: KnownBlock[] = [
        section(
          `:broom: *Unused grants*: no check was allowed through ${advice.grants.length === 1 ? "this one" : `these ${advice.grants.length}`} in ${UNUSED_DAYS} days.`,
        ),
        ...packLines(
          advice.grants.map((g) => `• ${esc(unusedText(g))}`),
          3,
        ),
      ];
      if (may(role, "edit")) {
        blocks.push(actions(`unused:${key.id}`, [removeUnusedButton(key, advice.since)]));
      }
      return blocks;
    }
    default:
      return [];
  }
}

const CONFIRM: ConfirmationDialog = {
  title: plain("Remove unused grants?", 100),
  text: plain(
    "The grants listed are removed from the key: the owners and the key owner are told, and the audit log keeps the change. Checks through them are refused from then on; a grant used since this list was made is kept.",
    300,
  ),
  confirm: plain("Remove them", 30),
  deny: plain("Keep them", 30),
  style: "danger",
};

/** The one-click removal: the key's version and the window, checked again when clicked. */
export function removeUnusedButton(key: Pick<ApiKey, "id" | "version">, since: number): Button {
  return {
    ...button(
      "Remove unused grants",
      ACTION_ID.removeUnused,
      encode(unusedGrantsValue, { keyId: key.id, version: key.version, since }),
      "danger",
    ),
    confirm: CONFIRM,
  };
}

const day5 = (day: number) => isoDayOf(day).slice(5);

/** `show`: the numbers per day (two columns), then the checks each grant allowed. */
export function usageDetailBlocks(usage: KeyUsage): KnownBlock[] {
  const counted = usage.days.filter((d) => d.calls !== null);
  const cell = (d: KeyUsage["days"][number] | undefined) =>
    d
      ? `${day5(d.day)} ${n(d.calls ?? 0).padStart(9)} ${d.refused ? `(${n(d.refused)})` : ""}`.padEnd(
          28,
        )
      : "";
  const half = Math.ceil(counted.length / 2);
  const rows: string[] = [];
  for (let i = 0; i < half; i++)
    rows.push(`${cell(counted[i])}${cell(counted[i + half])}`.trimEnd());
  const table = rows.length ? `\n\`\`\`${rows.join("\n")}\`\`\`` : "";
  const grantLines = usage.grants.map(grantLine);
  const unused =
    usage.advice.kind === "grants_unused"
      ? usage.advice.grants.map((g) => `• ${esc(unusedText(g))} — *unused*`)
      : [];
  return [
    section(
      `*Usage, last ${usage.days.length} days* (UTC)${countingNote(usage)}: ${totals(usage)}${counted.length ? " — verifications per day, (refused checks):" : "."}${table}`,
    ),
    ...(grantLines.length || unused.length
      ? packLines([...grantLines, ...unused], 4)
      : [section("_No check was allowed through any grant in these days._")]),
  ];
}

function grantLine(g: GrantChecks): string {
  const through = g.checks
    .filter((c) => c.nickname !== g.grant.scope || c.api !== g.grant.api)
    .slice(0, 5)
    .map((c) => `\`${c.nickname}\` ${API_LABELS[c.api]} ${n(c.calls)}`);
  const more = g.checks.length > 5 ? ", …" : "";
  return `• ${esc(describeCell(g.grant))}: ${plural(g.calls, "allowed check")}, last ${isoDayOf(g.lastDay)}${through.length ? ` (${through.join(", ")}${more})` : ""}`;
}

/** What the person who clicked "Remove unused grants" is told. */
export function removedText(key: ApiKey, removed: GrantCell[], since: number): string {
  if (removed.length === 0) {
    return `Nothing removed from *${esc(key.name)}* \`${key.publicId}\`: every grant it holds was used since ${isoDayOf(since)}, or is too new to tell.`;
  }
  return cut(
    `:broom: Removed ${plural(removed.length, "unused grant")} from *${esc(key.name)}* \`${key.publicId}\`. The owners and the key owner have been told: ${removed.map((c) => esc(describeCell(c))).join("; ")}.`,
    2900,
  );
}
