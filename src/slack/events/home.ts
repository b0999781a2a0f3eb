// The App Home tab, published when opened and on Refresh.
import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { homeData } from "../../domain/home.ts";
import { listNicknames } from "../../domain/nicknames/list.ts";
import { checkPermission } from "../../domain/permissions.ts";
import { guarded } from "../actions/guarded.ts";
import { homeView } from "../blocks/home.ts";
import { A } from "../blocks/ids.ts";
import { keyFormModal } from "../blocks/key-form.ts";
import { openRequestModal } from "../commands/requests.ts";
import type { SlackDeps } from "../deps.ts";
import { openModal } from "../flows/open-modal.ts";

export async function publishHome(
  deps: SlackDeps,
  client: WebClient,
  userId: string,
): Promise<void> {
  const data = await homeData(deps.ctx, userId);
  await client.views.publish({
    user_id: userId,
    view: homeView(data, deps.ctx.clock.now()),
  });
}

export function registerHome(app: App, deps: SlackDeps): void {
  app.event("app_home_opened", async ({ event, client }) => {
    if (event.tab !== "home") return;
    try {
      await publishHome(deps, client, event.user);
    } catch (e) {
      deps.log.warn({ err: e }, "could not publish the Home tab");
    }
  });

  app.action<BlockAction<ButtonAction>>(A.refreshHome, async ({ ack, body, client, respond }) => {
    await ack();
    await guarded({ deps, client, body, respond }, "home refresh", () =>
      publishHome(deps, client, body.user.id),
    );
  });

  app.action<BlockAction<ButtonAction>>(
    A.openHomeRequest,
    async ({ ack, body, client, respond }) => {
      await ack();
      await guarded({ deps, client, body, respond }, "home request", () =>
        openRequestModal(deps, client, { triggerId: body.trigger_id }),
      );
    },
  );

  app.action<BlockAction<ButtonAction>>(
    A.openHomeCreate,
    async ({ ack, body, client, respond }) => {
      await ack();
      await guarded({ deps, client, body, respond }, "home create", () =>
        openModal(deps, client, body.trigger_id, "Create API key", async () => {
          await checkPermission(deps.ctx, body.user.id, "create");
          return keyFormModal({
            mode: "create",
            actor: body.user.id,
            nicknames: await listNicknames(deps.ctx),
            meta: {},
          });
        }),
      );
    },
  );
}
