// Options for the permission multi-selects, looked up as the person types.
import type { App } from "@slack/bolt";
import { isApiId } from "../../domain/catalog.ts";
import { listNicknames } from "../../domain/nicknames/list.ts";
import { ACTION_ID } from "../blocks/ids.ts";
import { scopeSuggestions } from "../blocks/key-form.ts";
import type { SlackDeps } from "../deps.ts";

export function registerSuggestions(app: App, deps: SlackDeps): void {
  app.options<"block_suggestion">(
    { action_id: ACTION_ID.permissionScopes },
    async ({ ack, body }) => {
      const api = String(body.block_id ?? "").replace(/^perm:/, "");
      if (!isApiId(api)) {
        await ack({ options: [] });
        return;
      }
      try {
        const query = String(body.value ?? "").slice(0, 100);
        await ack({ options: scopeSuggestions(api, await listNicknames(deps.ctx), query) });
      } catch (e) {
        deps.log.warn({ err: e }, "could not suggest nicknames");
        await ack({ options: [] });
      }
    },
  );
}
