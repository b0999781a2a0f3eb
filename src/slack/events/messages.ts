// Leaked-key detection in channels the bot is in: plain messages, replies also sent to the
// channel, messages posted with a file, posts by bots and integrations (CI logs, alerts), and
// edits — warned about in the thread of the edited message. Never Keyward's own messages.
import type { App } from "@slack/bolt";
import { reportLeak } from "../../domain/oncall/leak.ts";
import { findSecrets } from "../../domain/secrets.ts";
import type { SlackDeps } from "../deps.ts";

type Obj = Record<string, unknown>;

/** Subtypes whose text someone (or something) posted. Joins, topics, deletions are not. */
const POSTED = new Set([undefined, "thread_broadcast", "file_share", "bot_message"]);

export interface Posted {
  channel: string;
  /** The message holding the text (for an edit: the original message). */
  ts: string;
  /** Where a warning goes: the message's thread, or a new thread under it. */
  threadTs: string;
  /** A person's user id, or a bot's id. */
  poster: string;
  text: string;
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** Every piece of text a message shows: its text, its attachments' text, its blocks' text. */
export function textsOf(m: Obj): string[] {
  const out: string[] = [];
  const walk = (v: unknown, depth: number) => {
    if (depth > 8) return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    if (typeof v !== "object" || v === null) return;
    for (const [k, x] of Object.entries(v as Obj)) {
      if (typeof x === "string" && ["text", "pretext", "fallback", "title", "value"].includes(k))
        out.push(x);
      else walk(x, depth + 1);
    }
  };
  if (str(m.text)) out.push(m.text as string);
  walk(m.attachments, 0);
  walk(m.blocks, 0);
  return out;
}

/** What a message event asks to be scanned, or null: nothing posted, or posted by Keyward. */
export function postedOf(event: Obj, self: { botId?: string; botUserId?: string }): Posted | null {
  const edited = event.subtype === "message_changed";
  if (!edited && !POSTED.has(str(event.subtype))) return null;
  const m = edited ? ((event.message as Obj | undefined) ?? {}) : event;
  if (edited && !POSTED.has(str(m.subtype))) return null;
  const user = str(m.user);
  const bot = str(m.bot_id);
  if ((bot && bot === self.botId) || (user && user === self.botUserId)) return null;
  const poster = user ?? bot;
  const channel = str(event.channel);
  const ts = str(m.ts);
  if (!poster || !channel || !ts) return null;
  return { channel, ts, threadTs: str(m.thread_ts) ?? ts, poster, text: textsOf(m).join("\n") };
}

export function registerMessageEvents(app: App, deps: SlackDeps): void {
  app.message(async ({ message, context, client }) => {
    const posted = postedOf(message as unknown as Obj, context);
    if (!posted?.text.includes("kw_")) return;
    try {
      // Only a string whose checksum holds is worth a link: most "kw_" are not keys.
      const permalink = findSecrets(posted.text).length
        ? await client.chat
            .getPermalink({ channel: posted.channel, message_ts: posted.ts })
            .then((r) => r.permalink ?? null)
            .catch((e) => {
              deps.log.warn({ err: e }, "no link to the message with a posted key");
              return null;
            })
        : null;
      const findings = await reportLeak(deps.ctx, { ...posted, permalink });
      if (findings.length) {
        // Public ids only: the string itself is never logged.
        deps.log.warn(
          { channel: posted.channel, keys: findings.map((f) => `${f.publicId}:${f.state}`) },
          "key-shaped string posted in a channel",
        );
        deps.kick();
      }
    } catch (e) {
      deps.log.error({ err: e }, "could not report a posted key");
    }
  });
}
