// `/apikeys request` and `/apikeys requests`.
import type { WebClient } from "@slack/web-api";
import { listNicknames } from "../../domain/nicknames/list.ts";
import { listRequests } from "../../domain/requests/queries.ts";
import { requestModal, requestsMessage } from "../blocks/requests.ts";
import type { SlackDeps } from "../deps.ts";
import { openModal } from "../flows/open-modal.ts";
import type { Handler } from "./call.ts";

export async function openRequestModal(
  deps: SlackDeps,
  client: WebClient,
  p: { triggerId: string; channel?: string },
): Promise<void> {
  await openModal(deps, client, p.triggerId, "Request access", async () =>
    requestModal({
      nicknames: await listNicknames(deps.ctx),
      meta: p.channel ? { c: p.channel } : {},
    }),
  );
}

export const request: Handler<"request"> = ({ deps, client, triggerId, channel }) =>
  openRequestModal(deps, client, { triggerId, channel });

export const requests: Handler<"requests"> = async ({ deps, userId, reply }) => {
  await reply(requestsMessage(await listRequests(deps.ctx, userId), deps.ctx.clock.now()));
};
