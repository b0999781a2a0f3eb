// Turning outcomes into what the person sees: refusals they can act on, field errors under
// the right input, and a plain apology (with nothing changed) for anything unexpected.
import type { RespondFn } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Ctx } from "../domain/context.ts";
import { DomainError, StaleError } from "../domain/errors.ts";
import { plainText, utcMinute } from "../domain/text.ts";
import type { Log } from "../log.ts";
import { errorModal } from "./blocks/results.ts";
import { mention, mrkdwnOf, when } from "./blocks/text.ts";
import type { SlackDeps } from "./deps.ts";
import { classifySlackFailure, failureText } from "./failures.ts";

const SORRY = "Something went wrong and nothing was changed. Please try again in a moment.";

/** The message for an error: the domain's own words, Slack's failure, or the apology. */
export function messageFor(
  deps: { ctx: Pick<Ctx, "clock">; log: Log },
  e: unknown,
  where: string,
): string {
  const failure = classifySlackFailure(e);
  if (failure) {
    deps.log.warn({ err: e, where, failure: failure.kind }, "Slack refused a call");
    return failureText(failure);
  }
  if (e instanceof StaleError) {
    return `This key was changed by ${mention(e.changedBy)} at ${when(e.changedAt)}, after you opened it. Open it again to see their change.`;
  }
  if (e instanceof DomainError) return mrkdwnOf(e.message);
  deps.log.error({ err: e, where }, "listener failed");
  return SORRY;
}

/** Plain text for modal field errors, which cannot show mentions. */
export async function fieldMessageFor(deps: SlackDeps, e: unknown, where: string): Promise<string> {
  if (e instanceof StaleError) {
    const who = await deps.people.name(e.changedBy);
    return `${who} changed this key at ${utcMinute(e.changedAt)}, after you opened it. Close and reopen to see their change.`;
  }
  if (e instanceof DomainError) return plainText(e.message);
  deps.log.error({ err: e, where }, "listener failed");
  return SORRY;
}

/**
 * Tells the person something privately wherever they acted: in the conversation (via the
 * response URL), or in a small modal when the action came from a modal or the Home tab.
 */
export async function tell(
  deps: SlackDeps,
  client: WebClient,
  where: { respond?: RespondFn; triggerId?: string; userId: string },
  text: string,
): Promise<void> {
  try {
    if (where.respond) {
      await where.respond({ response_type: "ephemeral", replace_original: false, text });
      return;
    }
    if (where.triggerId) {
      await client.views.open({ trigger_id: where.triggerId, view: errorModal(text) });
      return;
    }
    await client.chat.postMessage({ channel: where.userId, text });
  } catch (e) {
    deps.log.warn({ err: e }, "could not tell the person");
  }
}
