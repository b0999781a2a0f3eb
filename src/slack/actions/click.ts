// One way to handle every click: acknowledge at once, run the work after, and say whatever
// there is to say — a refusal or a result — privately where the person clicked.
import type { App, BlockAction, RespondFn } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { z } from "zod";
import { decode } from "../blocks/values.ts";
import type { SlackDeps } from "../deps.ts";
import { messageFor, tell } from "../replies.ts";

export interface Click {
  deps: SlackDeps;
  client: WebClient;
  body: BlockAction;
  respond: RespondFn;
  userId: string;
  triggerId: string;
  /** The clicked button's (or menu option's) value, parsed; a stale or forged one is refused. */
  value<S extends z.ZodType>(schema: S): z.output<S>;
  /** In a message: an ephemeral reply; in a modal or the Home tab: a small modal. */
  answer(text: string): Promise<void>;
}

export function onClick(
  app: App,
  deps: SlackDeps,
  actionId: string | RegExp,
  work: (click: Click) => Promise<void>,
): void {
  app.action<BlockAction>(actionId, async ({ ack, body, action, respond, client }) => {
    await ack();
    const inMessage = body.container?.type === "message";
    const click: Click = {
      deps,
      client,
      body,
      respond,
      userId: body.user.id,
      triggerId: body.trigger_id,
      value: (schema) => {
        const raw =
          "selected_option" in action
            ? action.selected_option?.value
            : "value" in action
              ? action.value
              : undefined;
        return decode(
          schema,
          String(raw ?? ""),
          "That button no longer works. Run the command again.",
        );
      },
      answer: (text) =>
        tell(
          deps,
          client,
          {
            respond: inMessage ? respond : undefined,
            triggerId: inMessage ? undefined : body.trigger_id,
            userId: body.user.id,
          },
          text,
        ),
    };
    try {
      await work(click);
      deps.kick();
    } catch (e) {
      await click.answer(messageFor(deps, e, `action ${String(actionId)}`));
    }
  });
}
