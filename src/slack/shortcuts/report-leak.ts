// The message shortcut Report leaked key, on any message: channels the bot is not in and DMs
// between people included, as it reads only what Slack sends with the shortcut, never the
// conversation.
import type { App, MessageShortcut } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { REPORTS_PER_HOUR, reportLeakByShortcut } from "../../domain/oncall/leak.ts";
import { findSecrets } from "../../domain/secrets.ts";
import { SHORTCUT_ID } from "../blocks/ids.ts";
import { leakReportModal } from "../blocks/oncall.ts";
import type { SlackDeps } from "../deps.ts";
import { textsOf } from "../events/messages.ts";
import { openModal } from "../flows/open-modal.ts";
import { messageFor, tell } from "../replies.ts";

type Obj = Record<string, unknown>;

/**
 * A link to the message: Slack's own where the bot may ask for it, else the archive link every
 * message has (it opens for those in the conversation), else none.
 */
async function linkTo(
  client: WebClient,
  s: MessageShortcut,
  log: SlackDeps["log"],
): Promise<string | null> {
  try {
    const r = await client.chat.getPermalink({ channel: s.channel.id, message_ts: s.message.ts });
    if (r.permalink) return r.permalink;
  } catch (e) {
    log.debug({ err: e }, "no permalink for a reported message; using its archive link");
  }
  const domain = s.team?.domain;
  if (!domain || !/^[a-z0-9-]+$/i.test(domain)) return null;
  return `https://${domain}.slack.com/archives/${s.channel.id}/p${s.message.ts.replace(".", "")}`;
}

/** A DM or group DM between people (no channel to name), or a channel. */
function conversationOf(s: MessageShortcut): "dm" | "channel" {
  const name = s.channel.name ?? "";
  return /^D/.test(s.channel.id) || name === "directmessage" || name.startsWith("mpdm-")
    ? "dm"
    : "channel";
}

export function registerReportLeakShortcut(app: App, deps: SlackDeps): void {
  app.shortcut<MessageShortcut>(
    { callback_id: SHORTCUT_ID.reportLeak, type: "message_action" },
    async ({ ack, shortcut: s, client, respond }) => {
      await ack();
      const reporter = s.user.id;
      try {
        await openModal(deps, client, s.trigger_id, "Report leaked key", async () => {
          const m = s.message as unknown as Obj;
          const text = textsOf(m).join("\n");
          const poster =
            (typeof m.user === "string" && m.user) ||
            (typeof m.bot_id === "string" && m.bot_id) ||
            "unknown";
          const permalink = findSecrets(text).length ? await linkTo(client, s, deps.log) : null;
          const report = await reportLeakByShortcut(deps.ctx, {
            channel: s.channel.id,
            ts: s.message.ts,
            poster,
            text,
            permalink,
            reporter,
            conversation: conversationOf(s),
          });
          // Public ids only: the string itself is never logged.
          deps.log.info(
            {
              reporter,
              channel: s.channel.id,
              keys: report.findings.map((f) => `${f.publicId}:${f.state}`),
              badChecksum: report.badChecksum.length,
              alerted: report.alerted,
              limited: report.limited,
            },
            "a message was reported with Report leaked key",
          );
          if (report.alerted) deps.kick();
          return leakReportModal(report, { reporter, poster, limit: REPORTS_PER_HOUR });
        });
      } catch (e) {
        await tell(
          deps,
          client,
          { respond, userId: reporter },
          messageFor(deps, e, "shortcut report_leaked_key"),
        );
      }
    },
  );
}
