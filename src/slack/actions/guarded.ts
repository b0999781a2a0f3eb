// Every click is acknowledged first; its work runs after, and whatever it has to say — a
// refusal or a result — goes back privately where the person clicked.
import type { BlockAction, RespondFn } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { SlackDeps } from "../deps.ts";
import { messageFor, tell } from "../replies.ts";

export interface ActionCall {
  deps: SlackDeps;
  client: WebClient;
  body: BlockAction;
  respond: RespondFn;
}

/** In a message: an ephemeral reply; in a modal or the Home tab: a small modal. */
export async function answer(call: ActionCall, text: string): Promise<void> {
  const inMessage = call.body.container?.type === "message";
  await tell(
    call.deps,
    call.client,
    {
      respond: inMessage ? call.respond : undefined,
      triggerId: inMessage ? undefined : call.body.trigger_id,
      userId: call.body.user.id,
    },
    text,
  );
}

/** Runs an action's work after the acknowledgement; refusals go back to the person. */
export async function guarded(
  call: ActionCall,
  where: string,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (e) {
    await answer(call, messageFor(call.deps, e, where));
  }
}
