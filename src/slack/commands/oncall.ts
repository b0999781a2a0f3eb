// `/apikeys rotate <key>` and `/apikeys digest`.
import { digestFor } from "../../domain/oncall/digest.ts";
import { renderDigest } from "../blocks/oncall.ts";
import { openRotateModal } from "../flows/rotate.ts";
import type { CommandCall } from "./apikeys.ts";
import type { Command } from "./parse.ts";

export async function runOncallCommand(call: CommandCall, c: Command): Promise<boolean> {
  if (c.cmd === "rotate") {
    await openRotateModal(call.deps, call.client, {
      triggerId: call.triggerId,
      userId: call.userId,
      key: c.key,
      channel: call.channel,
    });
    return true;
  }
  if (c.cmd === "digest") {
    const digest = await digestFor(call.deps.ctx, call.userId, call.deps.people);
    await call.respond({ response_type: "ephemeral", ...renderDigest(digest) });
    return true;
  }
  return false;
}
