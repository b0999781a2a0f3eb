// `/apikeys request` and `/apikeys requests`.
import type { WebClient } from "@slack/web-api";
import { listNicknames } from "../../domain/nicknames/list.ts";
import { listRequests } from "../../domain/requests/queries.ts";
import { requestModal, requestsMessage } from "../blocks/requests.ts";
import type { SlackDeps } from "../deps.ts";
import { openModal } from "../flows/open-modal.ts";

import type { CommandCall } from "./apikeys.ts";
import type { Command } from "./parse.ts";

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

export async function runRequestCommand(call: CommandCall, c: Command): Promise<boolean> {
  if (c.cmd === "request") {
    await openRequestModal(call.deps, call.client, {
      triggerId: call.triggerId,
      channel: call.channel,
    });
    return true;
  }
  if (c.cmd === "requests") {
    const d = await listRequests(call.deps.ctx, call.userId);
    await call.respond({
      response_type: "ephemeral",
      ...requestsMessage(d, call.deps.ctx.clock.now()),
    });
    return true;
  }
  return false;
}
