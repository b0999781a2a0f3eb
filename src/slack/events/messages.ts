// Leaked-key detection in channels the bot is in.
import type { App } from "@slack/bolt";
import { reportLeak } from "../../domain/oncall/leak.ts";
import type { SlackDeps } from "../deps.ts";

export function registerMessageEvents(app: App, deps: SlackDeps): void {
  app.message(async ({ message }) => {
    // Plain messages from people only: not bots (ourselves included), edits or joins.
    if (message.subtype !== undefined || !("user" in message) || !("text" in message)) return;
    const text = message.text ?? "";
    if (!text.includes("kw_")) return;
    try {
      const findings = await reportLeak(deps.ctx, {
        channel: message.channel,
        ts: message.ts,
        poster: message.user,
        text,
      });
      if (findings.length) {
        // Public ids only: the string itself is never logged.
        deps.log.warn(
          { channel: message.channel, keys: findings.map((f) => `${f.publicId}:${f.state}`) },
          "key-shaped string posted in a channel",
        );
        deps.kick();
      }
    } catch (e) {
      deps.log.error({ err: e }, "could not report a posted key");
    }
  });
}
