// Text for Block Kit: escaping, people, lengths, relative times.
import type { MrkdwnElement, PlainTextElement } from "@slack/types";
import { formatDistance } from "date-fns";
import { renderText } from "../../domain/text.ts";

/** Escapes what mrkdwn would read as markup (links, mentions). */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export const mention = (userId: string) => `<@${userId}>`;

/** Domain text into mrkdwn: escaped, with Keyward's person placeholders turned into mentions. */
export function mrkdwnOf(text: string): string {
  return renderText(text, esc, mention);
}

/** Cuts to at most `max` characters, marking the cut. */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  return `${s.slice(0, max - 1)}…`;
}

/** "3 days ago"; "never" for no date. */
export function ago(date: Date | null, now: Date): string {
  if (!date) return "never";
  if (date.getTime() > now.getTime()) return `in ${formatDistance(date, now)}`;
  return formatDistance(date, now, { addSuffix: true });
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
