// Rotate now (leak warnings) and the digest's buttons.
import type { App } from "@slack/bolt";
import { checkPermission } from "../../domain/permissions.ts";
import { getRequestView } from "../../domain/requests/queries.ts";
import { ACTION_ID, CALLBACK_ID } from "../blocks/ids.ts";
import { modal } from "../blocks/layout.ts";
import { requestCard } from "../blocks/requests.ts";
import { digestValue, keyValue } from "../blocks/values.ts";
import type { SlackDeps } from "../deps.ts";
import { openKeyModal } from "../flows/modals.ts";
import { openModal } from "../flows/open-modal.ts";
import { onClick } from "./click.ts";

export function registerOncallActions(app: App, deps: SlackDeps): void {
  onClick(
    app,
    deps, // Alerts posted before each key had its own button used the bare action id.
    new RegExp(`^${ACTION_ID.rotateNow}(:|$)`),
    (c) => openKeyModal(c, "rotate", c.value(keyValue).keyId),
  );

  onClick(app, deps, ACTION_ID.digestButton, async (c) => {
    const v = c.value(digestValue);
    if (v.verb !== "review") {
      await openKeyModal(c, v.verb, v.keyId);
      return;
    }
    // The request's card, in a modal, with its Approve and Deny: for those who decide.
    await openModal(deps, c.client, c.triggerId, "Access request", async () => {
      await checkPermission(deps.ctx, c.userId, "decide");
      const card = requestCard(
        await getRequestView(deps.ctx, v.requestId),
        deps.ctx.clock.now(),
        c.userId,
      );
      return modal({ callbackId: CALLBACK_ID.done, title: "Access request", blocks: card.blocks });
    });
  });
}
