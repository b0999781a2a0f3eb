// A key command that named no key exactly: the "did you mean" button, and the key picker's
// options as the person types.
import type { App } from "@slack/bolt";
import { listKeys } from "../../domain/keys/queries.ts";
import { ACTION_ID } from "../blocks/ids.ts";
import { keyPickOption } from "../blocks/key-pick.ts";
import { keyCommandValue } from "../blocks/values.ts";
import type { SlackDeps } from "../deps.ts";
import { keyCommandView, keyDetail, openKeyModal } from "../flows/modals.ts";
import { openModal } from "../flows/open-modal.ts";
import { onClick } from "./click.ts";

export function registerKeyPick(app: App, deps: SlackDeps): void {
  // "Did you mean …?": does what the command asked, to the key offered.
  onClick(app, deps, ACTION_ID.keySuggestion, async (c) => {
    const { verb, keyId } = c.value(keyCommandValue);
    if (verb === "show") {
      await c.respond({ replace_original: true, ...(await keyDetail(deps, c.userId, keyId)) });
      return;
    }
    if (verb === "enable") {
      await openModal(deps, c.client, c.triggerId, "Enable API key", () =>
        keyCommandView(deps, c.userId, verb, keyId),
      );
      return;
    }
    await openKeyModal(c, verb, keyId);
  });

  app.options<"block_suggestion">({ action_id: ACTION_ID.keyPick }, async ({ ack, body }) => {
    try {
      const text = String(body.value ?? "").slice(0, 100);
      const page = await listKeys(deps.ctx, { text: text || undefined, offset: 0, limit: 100 });
      await ack({ options: page.items.map((i) => keyPickOption(i.key)) });
    } catch (e) {
      deps.log.warn({ err: e }, "could not suggest keys");
      await ack({ options: [] });
    }
  });
}
