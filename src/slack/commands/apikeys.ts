// `/apikeys`: acknowledge at once, then parse and answer privately.
import type { App, RespondFn } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { helpMessage } from "../blocks/admin.ts";
import type { SlackDeps } from "../deps.ts";
import { messageFor } from "../replies.ts";
import { runAdminCommand } from "./admin.ts";
import { runKeyCommand } from "./keys.ts";
import { type Command, parseCommand, USAGE } from "./parse.ts";

export interface CommandCall {
  deps: SlackDeps;
  client: WebClient;
  respond: RespondFn;
  userId: string;
  channel: string;
  triggerId: string;
}

/** Extra subcommands registered by later features (requests, on-call). */
export type CommandHandler = (call: CommandCall, command: Command) => Promise<boolean>;

export function registerApikeysCommand(
  app: App,
  deps: SlackDeps,
  extra: CommandHandler[] = [],
): void {
  app.command("/apikeys", async ({ ack, command, respond, client }) => {
    await ack();
    const parsed = parseCommand(command.text ?? "");
    const call: CommandCall = {
      deps,
      client,
      respond,
      userId: command.user_id,
      channel: command.channel_id,
      triggerId: command.trigger_id,
    };
    try {
      if (!parsed.ok) {
        await respond({ response_type: "ephemeral", ...helpMessage(USAGE, parsed.error) });
        return;
      }
      if (parsed.command.cmd === "help") {
        await respond({ response_type: "ephemeral", ...helpMessage(USAGE) });
        return;
      }
      for (const handler of [runKeyCommand, runAdminCommand, ...extra]) {
        if (await handler(call, parsed.command)) return;
      }
      await respond({
        response_type: "ephemeral",
        ...helpMessage(USAGE, "That subcommand is not available."),
      });
    } catch (e) {
      await respond({
        response_type: "ephemeral",
        text: messageFor(deps, e, `/apikeys ${parsed.ok ? parsed.command.cmd : "?"}`),
      }).catch(() => undefined);
    }
  });
}
