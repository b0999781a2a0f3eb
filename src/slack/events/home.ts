// The App Home tab, published when opened and on Refresh, and its buttons.
import type { App } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { homeData } from "../../domain/home.ts";
import { onClick } from "../actions/click.ts";
import { homeView } from "../blocks/home.ts";
import { ACTION_ID } from "../blocks/ids.ts";
import type { SlackDeps } from "../deps.ts";
import { openCreateModal, openRequestModal } from "../flows/modals.ts";

export async function publishHome(
  deps: SlackDeps,
  client: WebClient,
  userId: string,
): Promise<void> {
  const data = await homeData(deps.ctx, userId);
  await client.views.publish({ user_id: userId, view: homeView(data, deps.ctx.clock.now()) });
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
  onClick(app, deps, ACTION_ID.homeRefresh, (c) => publishHome(deps, c.client, c.userId));
  onClick(app, deps, ACTION_ID.homeRequest, openRequestModal);
  onClick(app, deps, ACTION_ID.homeCreate, openCreateModal);
}
