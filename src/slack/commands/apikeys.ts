// `/apikeys`: acknowledge at once, parse, hand the command to its subcommand's handler, and
// answer privately. A refusal or a failure is told in words, with nothing changed.
import type { App } from "@slack/bolt";
import { KeyNotFound } from "../../domain/keys/load.ts";
import { helpMessage, suggestionMessage } from "../blocks/admin.ts";
import { KEY_COMMAND_VERBS, type KeyCommandVerb } from "../blocks/ids.ts";
import { keyOfferMessage } from "../blocks/key-pick.ts";
import type { SlackDeps } from "../deps.ts";
import { messageFor } from "../replies.ts";
import type { CommandCall, Handlers } from "./call.ts";
import * as keys from "./keys.ts";
import * as nicknames from "./nicknames.ts";
import { type Command, parseCommand, type Subcommand, USAGE } from "./parse.ts";
import * as reports from "./reports.ts";
import * as requests from "./requests.ts";
import * as roles from "./roles.ts";

/** Every subcommand's handler. */
export const SUBCOMMANDS: Handlers = {
  help: ({ reply }) => reply(helpMessage(USAGE)),
  list: keys.list,
  show: keys.show,
  create: keys.create,
  edit: keys.openVerbModal,
  regenerate: keys.openVerbModal,
  rotate: keys.openVerbModal,
  disable: keys.openVerbModal,
  delete: keys.openVerbModal,
  enable: keys.enable,
  request: requests.request,
  requests: requests.requests,
  nicknames: nicknames.nicknames,
  nickname_add: nicknames.add,
  nickname_remove: nicknames.remove,
  roles: roles.roles,
  role_add: roles.add,
  role_remove: roles.remove,
  audit: reports.audit,
  audit_export: reports.auditExportCommand,
  digest: reports.digest,
};

const isKeyCommandVerb = (cmd: string | undefined): cmd is KeyCommandVerb =>
  (KEY_COMMAND_VERBS as readonly string[]).includes(cmd ?? "");

function dispatch<K extends Subcommand>(call: CommandCall, command: Command<K>): Promise<void> {
  const handler: Handlers[K] = SUBCOMMANDS[command.cmd];
  return handler(call, command);
}

export function registerApikeysCommand(app: App, deps: SlackDeps): void {
  app.command("/apikeys", async ({ ack, command, respond, client }) => {
    await ack();
    const parsed = parseCommand(command.text ?? "");
    const reply: CommandCall["reply"] = async (answer) => {
      const body = typeof answer === "string" ? { text: answer } : answer;
      await respond({ response_type: "ephemeral", ...body });
    };
    try {
      if (!parsed.ok) {
        // A typo gets the one line it needs, not the whole help.
        await reply(
          parsed.suggestion
            ? suggestionMessage(parsed.error, parsed.suggestion)
            : helpMessage(USAGE, parsed.error),
        );
        return;
      }
      await dispatch(
        {
          deps,
          client,
          reply,
          userId: command.user_id,
          triggerId: command.trigger_id,
        },
        parsed.command,
      );
      deps.kick();
    } catch (e) {
      const where = `/apikeys ${parsed.ok ? parsed.command.cmd : "?"}`;
      const cmd = parsed.ok ? parsed.command.cmd : undefined;
      const offered =
        e instanceof KeyNotFound && e.near.length === 1 && e.near[0] && isKeyCommandVerb(cmd)
          ? keyOfferMessage(cmd, e.ref, e.near[0])
          : undefined;
      await reply(offered ?? messageFor(deps, e, where)).catch(() => undefined);
    }
  });
}
