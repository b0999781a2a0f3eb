// Rotate now (leak warnings) and the digest's buttons.
import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { z } from "zod";
import { invalid } from "../../domain/errors.ts";
import { checkPermission } from "../../domain/permissions.ts";
import { getRequestView } from "../../domain/requests/queries.ts";
import { A, V } from "../blocks/ids.ts";
import { modal } from "../blocks/layout.ts";
import { requestCard } from "../blocks/requests.ts";
import type { SlackDeps } from "../deps.ts";
import { openKeyModal } from "../flows/key-modals.ts";
import { openModal } from "../flows/open-modal.ts";
import { guarded } from "./guarded.ts";

/** What the digest's buttons do: disable or edit a key, review a request. */
export const DIGEST_VERBS = ["disable", "edit", "review"] as const;

const digestValue = z.object({
  v: z.enum(DIGEST_VERBS),
  t: z.enum(["key", "request"]),
  id: z.number().int().positive(),
});

export function registerOncallActions(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(
    A.rotateNow,
    async ({ ack, body, action, respond, client }) => {
      await ack();
      await guarded({ deps, client, body, respond }, "rotate now", async () => {
        const keyId = Number(action.value);
        if (!Number.isSafeInteger(keyId) || keyId <= 0)
          throw invalid("That button no longer works.");
        await openKeyModal(deps, client, {
          verb: "rotate",
          triggerId: body.trigger_id,
          userId: body.user.id,
          key: keyId,
          channel: body.channel?.id,
        });
      });
    },
  );

  app.action<BlockAction<ButtonAction>>(
    A.digestAct,
    async ({ ack, body, action, respond, client }) => {
      await ack();
      await guarded({ deps, client, body, respond }, "digest", async () => {
        let v: z.infer<typeof digestValue>;
        try {
          v = digestValue.parse(JSON.parse(action.value ?? ""));
        } catch {
          throw invalid("That button no longer works. Run `/apikeys digest` again.");
        }
        if (v.t === "request") {
          // The request's card, in a modal, with its Approve and Deny: for those who decide.
          const id = v.id;
          await openModal(deps, client, body.trigger_id, "Access request", async () => {
            await checkPermission(deps.ctx, body.user.id, "decide");
            const card = requestCard(await getRequestView(deps.ctx, id), deps.ctx.clock.now());
            return modal({ callbackId: V.done, title: "Access request", blocks: card.blocks });
          });
          return;
        }
        await openKeyModal(deps, client, {
          verb: v.v === "disable" ? "disable" : "edit",
          triggerId: body.trigger_id,
          userId: body.user.id,
          key: v.id,
        });
      });
    },
  );
}
