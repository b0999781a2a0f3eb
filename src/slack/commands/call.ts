// What every `/apikeys` subcommand handler is given, and its shape.
import type { WebClient } from "@slack/web-api";
import type { Message } from "../blocks/layout.ts";
import type { SlackDeps } from "../deps.ts";
import type { Command, Subcommand } from "./parse.ts";

export interface CommandCall {
  deps: SlackDeps;
  client: WebClient;
  userId: string;
  triggerId: string;
  /** Answers privately, in the conversation where the command ran. */
  reply(answer: Message | string): Promise<void>;
}

export type Handler<K extends Subcommand> = (
  call: CommandCall,
  command: Command<K>,
) => Promise<void>;

/** A handler for every subcommand: one missing fails to compile. */
export type Handlers = { [K in Subcommand]: Handler<K> };
