// Slack's mrkdwn as Preact nodes (never as HTML strings): *bold*, _italic_, ~strike~,
// `code`, ```blocks```, <links|labels>, <@mentions>, <#channels>, :emoji:, &escapes;.
import type { ComponentChildren } from "preact";

const EMOJI: Record<string, string> = {
  white_check_mark: "✅",
  x: "❌",
  warning: "⚠️",
  rotating_light: "🚨",
  no_entry: "⛔",
  large_green_circle: "🟢",
  hourglass: "⌛",
  hourglass_flowing_sand: "⏳",
  envelope: "✉️",
  zzz: "💤",
  heavy_multiplication_x: "✖️",
  outbox_tray: "📤",
  wastebasket: "🗑️",
  bell: "🔔",
  sparkles: "✨",
  lock: "🔒",
  key: "🔑",
};

export interface Names {
  user(id: string): string;
  channel(id: string): string;
}

const unescapeSlack = (s: string) =>
  s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
export const emojify = (s: string) =>
  s.replace(/:([a-z0-9_+-]+):/g, (m, name: string) => EMOJI[name] ?? m);

function inline(text: string, names: Names, key: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  // Links, mentions, code spans and styles, leftmost first.
  const re =
    /<([^>\s][^>]*)>|`([^`\n]+)`|\*([^*\n]+)\*|(?<![A-Za-z0-9])_([^_\n]+)_(?![A-Za-z0-9])|~([^~\n]+)~/g;
  let last = 0;
  let m: RegExpExecArray | null;
  let i = 0;
  // biome-ignore lint/suspicious/noAssignInExpressions: the usual exec loop
  while ((m = re.exec(text))) {
    if (m.index > last) out.push(emojify(unescapeSlack(text.slice(last, m.index))));
    const k = `${key}.${i++}`;
    if (m[1] !== undefined) {
      const [target = "", label] = m[1].split("|");
      if (target.startsWith("@"))
        out.push(
          <span class="mention" key={k}>
            @{names.user(target.slice(1))}
          </span>,
        );
      else if (target.startsWith("#"))
        out.push(
          <span class="mention" key={k}>
            #{names.channel(target.slice(1))}
          </span>,
        );
      else if (target.startsWith("!"))
        out.push(
          <span class="mention" key={k}>
            @{target.slice(1)}
          </span>,
        );
      else if (/^https?:\/\//.test(target)) {
        out.push(
          <a key={k} href={unescapeSlack(target)} target="_blank" rel="noreferrer noopener">
            {unescapeSlack(label ?? target)}
          </a>,
        );
      } else out.push(unescapeSlack(m[0]));
    } else if (m[2] !== undefined) out.push(<code key={k}>{unescapeSlack(m[2])}</code>);
    else if (m[3] !== undefined) out.push(<b key={k}>{inline(m[3], names, k)}</b>);
    else if (m[4] !== undefined) out.push(<i key={k}>{inline(m[4], names, k)}</i>);
    else if (m[5] !== undefined) out.push(<s key={k}>{inline(m[5], names, k)}</s>);
    last = re.lastIndex;
  }
  if (last < text.length) out.push(emojify(unescapeSlack(text.slice(last))));
  return out;
}

export function Mrkdwn({ text, names }: { text: string; names: Names }) {
  const parts = text.split(/```/);
  return (
    <span class="mrkdwn">
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <pre key={`p${i}`}>{unescapeSlack(part.replace(/^\n/, ""))}</pre>
        ) : (
          part.split("\n").map((line, j, lines) => (
            <span key={`l${i}.${j}`}>
              {inline(line, names, `${i}.${j}`)}
              {j < lines.length - 1 ? <br /> : null}
            </span>
          ))
        ),
      )}
    </span>
  );
}

/** A Block Kit text object. */
export function Text({ t, names }: { t: unknown; names: Names }) {
  const o = t as { type?: string; text?: string } | undefined;
  if (!o?.text) return null;
  return o.type === "mrkdwn" ? (
    <Mrkdwn text={o.text} names={names} />
  ) : (
    <span>{emojify(o.text)}</span>
  );
}
