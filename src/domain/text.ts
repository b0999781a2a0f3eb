// Notices, audit lines and refusals are plain text with one kind of placeholder: a person,
// written `{{user:U123}}` by Keyward (userRef). Each surface renders it its own way (Slack: a
// mention). Whatever a person typed goes in through quote(), which escapes `\` and `{`, so a
// placeholder can only ever come from Keyward's own text.
export const userRef = (userId: string) => `{{user:${userId}}}`;

/** A person's own words inside domain text: nothing in them reads as a placeholder. */
export const quote = (typed: string) => typed.replace(/[\\{]/g, (c) => `\\${c}`);

const TOKEN = /\\([\\{])|\{\{user:([UW][A-Z0-9]{2,20})\}\}/g;

/** Domain text for a surface: its literal text and its people, each rendered as that surface needs. */
export function renderText(
  text: string,
  literal: (s: string) => string,
  person: (userId: string) => string,
): string {
  let out = "";
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    out += literal(text.slice(last, m.index));
    out += m[1] !== undefined ? literal(m[1]) : person(m[2] as string);
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

export const isoDay = (d: Date) => d.toISOString().slice(0, 10);
export const isoMinute = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
