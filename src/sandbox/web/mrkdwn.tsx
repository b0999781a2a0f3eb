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
  /** The time zone of the person looking (Slack formats dates in each reader's own zone). */
  tz?: string;
}

/** Slack's `<!date^unix^format|fallback>`, as Slack's client shows it to the reader. */
export function slackDate(unix: number, format: string, fallback: string, tz?: string): string {
  const at = new Date(unix * 1000);
  if (Number.isNaN(at.getTime())) return fallback;
  const zone = tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const fmt = (o: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat("en-US", { timeZone: zone, ...o }).format(at);
  const day = (d: Date) => new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(d); // YYYY-MM-DD in the zone
  const short = fmt({ month: "short", day: "numeric", year: "numeric" });
  const long = fmt({ weekday: "long", month: "long", day: "numeric", year: "numeric" });
  const pretty = (plain: string) => {
    const now = Date.now();
    const d = day(at);
    if (d === day(new Date(now))) return "today";
    if (d === day(new Date(now - 86_400_000))) return "yesterday";
    if (d === day(new Date(now + 86_400_000))) return "tomorrow";
    return plain;
  };
  const tokens: Record<string, () => string> = {
    date_num: () => day(at),
    date: () => fmt({ month: "long", day: "numeric", year: "numeric" }),
    date_short: () => short,
    date_long: () => long,
    date_pretty: () => pretty(fmt({ month: "long", day: "numeric", year: "numeric" })),
    date_short_pretty: () => pretty(short),
    date_long_pretty: () => pretty(long),
    time: () => fmt({ hour: "numeric", minute: "2-digit" }),
    time_secs: () => fmt({ hour: "numeric", minute: "2-digit", second: "2-digit" }),
  };
  let unknown = false;
  const out = format.replace(/\{(\w+)\}/g, (_, t: string) => {
    const f = tokens[t];
    if (!f) unknown = true;
    return f ? f() : "";
  });
  return unknown ? fallback : out;
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
      else if (target.startsWith("!date^")) {
        const [, unix = "", format = ""] = target.split("^");
        out.push(
          <time key={k} title={unescapeSlack(label ?? "")}>
            {slackDate(Number(unix), format, unescapeSlack(label ?? ""), names.tz)}
          </time>,
        );
      } else if (target.startsWith("!"))
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
