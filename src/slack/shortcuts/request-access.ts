// The global shortcut Request API access: the request modal of `/apikeys request`, from anywhere.
import type { App, GlobalShortcut } from "@slack/bolt";
import { SHORTCUT_ID } from "../blocks/ids.ts";
import type { SlackDeps } from "../deps.ts";
import { openRequestModal } from "../flows/modals.ts";
import { messageFor, tell } from "../replies.ts";

export function registerRequestAccessShortcut(app: App, deps: SlackDeps): void {
  app.shortcut<GlobalShortcut>(
    { callback_id: SHORTCUT_ID.requestAccess, type: "shortcut" },
    async ({ ack, shortcut: s, client }) => {
      await ack();
      try {
        await openRequestModal({ deps, client, triggerId: s.trigger_id, userId: s.user.id });
      } catch (e) {
        // No conversation to answer in: a DM says what went wrong.
        await tell(
          deps,
          client,
          { userId: s.user.id },
          messageFor(deps, e, "shortcut request_access"),
        );
      }
    },
  );
}
