// `/apikeys request` and `/apikeys requests`.
import { listRequests } from "../../domain/requests/queries.ts";
import { requestsMessage } from "../blocks/requests.ts";
import { openRequestModal } from "../flows/modals.ts";
import type { Handler } from "./call.ts";

export const request: Handler<"request"> = (call) => openRequestModal(call);

export const requests: Handler<"requests"> = async ({ deps, userId, reply }) => {
  await reply(requestsMessage(await listRequests(deps.ctx, userId), userId));
};
