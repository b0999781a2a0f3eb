// Notices, audit lines and refusals are plain text with two kinds of placeholder: a person,
// written `{{user:U123}}` by Keyward (userRef), and a moment, `{{date:1700000000}}` (timeRef).
// Each surface renders them its own way (Slack: a mention, and its date formatting so everyone
// reads the time in their own zone). Whatever a person typed goes in through quote(), which
// escapes `\` and `{`, so a placeholder can only ever come from Keyward's own text.
export const userRef = (userId: string) => `{{user:${userId}}}`;
export const timeRef = (at: Date) => `{{date:${Math.floor(at.getTime() / 1000)}}}`;

/** A person's own words inside domain text: nothing in them reads as a placeholder. */
export const quote = (typed: string) => typed.replace(/[\\{]/g, (c) => `\\${c}`);

const TOKEN = /\\([\\{])|\{\{user:([UW][A-Z0-9]{2,20})\}\}|\{\{date:(\d{1,12})\}\}/g;

/**
 * Domain text for a surface: its literal text, its people and its moments, each rendered as
 * that surface needs. A surface that cannot format times says them in UTC.
 */
export function renderText(
  text: string,
  literal: (s: string) => string,
  person: (userId: string) => string,
  time: (at: Date) => string = (at) => literal(utcMinute(at)),
): string {
  let out = "";
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    out += literal(text.slice(last, m.index));
    if (m[1] !== undefined) out += literal(m[1]);
    else if (m[2] !== undefined) out += person(m[2]);
    else out += time(new Date(Number(m[3]) * 1000));
    last = m.index + m[0].length;
  }
  return out + literal(text.slice(last));
}

/** Domain text where nothing is rendered specially (modal field errors, logs): people by id. */
export const plainText = (text: string) =>
  renderText(
    text,
    (s) => s,
    (id) => id,
  );

/** A moment in UTC, saying so: what a surface without time zones shows. */
export const utcMinute = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
