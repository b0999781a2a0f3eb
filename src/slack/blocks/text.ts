// Text for Block Kit: escaping, people, times, lengths.
import type { MrkdwnElement, PlainTextElement } from "@slack/types";
import { renderText, utcMinute } from "../../domain/text.ts";

/** Escapes what mrkdwn would read as markup (links, mentions). */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export const mention = (userId: string) => `<@${userId}>`;

/**
 * A moment in Slack's date formatting: every reader sees it in their own time zone and locale
 * ("today 14:02", "Nov 27 09:30"), kept current by their client; the fallback, for clients
 * that cannot format it, is UTC and says so. Never a relative time frozen into a message.
 */
export function when(at: Date | null, none = "never"): string {
  if (!at) return none;
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} {time}|${utcMinute(at)}>`;
}

/** Domain text into mrkdwn: escaped, its people as mentions and its moments as Slack dates. */
/** A day in the reader's own time zone (Slack's date formatting), with a UTC fallback. */
export function whenDay(at: Date | null, none = "never"): string {
  if (!at) return none;
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty}|${at.toISOString().slice(0, 10)} UTC>`;
}

export function mrkdwnOf(text: string): string {
  return renderText(text, esc, mention, when);
}

/** Cuts to at most `max` characters, marking the cut. */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  return `${s.slice(0, max - 1)}…`;
}

export const plain = (text: string, max = 3000): PlainTextElement => ({
  type: "plain_text",
  text: cut(text, max),
  emoji: true,
});
export const md = (text: string, max = 3000): MrkdwnElement => ({
  type: "mrkdwn",
  text: cut(text, max),
});

/** The first few of a list, and how many more: never a list cut without saying so. */
export function listSome(items: string[], first: number, separator = ", "): string {
  const shown = items.slice(0, first).join(separator);
  return items.length > first ? `${shown} …and ${items.length - first} more` : shown;
}
