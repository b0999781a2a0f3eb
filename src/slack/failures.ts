// What a failed Slack Web API call means, decided once for every caller: the listeners' replies
// and the outbox worker. Pure: a thrown value in, a classification out.
//   rate_limited  Slack asked to wait `retryAfterMs`; nothing was done.
//   refused       Slack answered ok:false; nothing was done. `final` when asking again cannot
//                 help (the user, channel or message is gone, the blocks are invalid, the token
//                 lacks a scope); otherwise a passing refusal worth retrying later.
//   in_doubt      no trustworthy answer (timeout, HTTP error, broken connection, Slack's own
//                 internal errors): Slack may have acted, so look before doing it again.

export type SlackFailure =
  | { kind: "rate_limited"; code: "ratelimited"; retryAfterMs: number }
  | { kind: "refused"; code: string; final: boolean }
  | { kind: "in_doubt"; code: string };

/** ok:false errors that repeating the same call will not change. */
const FINAL_REFUSALS: ReadonlySet<string> = new Set([
  "user_not_found",
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "invalid_blocks",
  "invalid_arguments",
  "no_text",
  "account_inactive",
  "cannot_dm_bot",
  "user_disabled",
  "msg_too_long",
  "message_not_found",
  "cant_update_message",
  "thread_not_found",
  "invalid_auth",
  "not_authed",
  "missing_scope",
]);

/** ok:false errors after which Slack may still have done what was asked. */
const IN_DOUBT_REFUSALS: ReadonlySet<string> = new Set([
  "request_timeout",
  "internal_error",
  "fatal_error",
]);

interface WebApiErrorShape {
  code?: unknown;
  retryAfter?: unknown;
  data?: { error?: unknown };
  statusCode?: unknown;
}

/** The classification of a Web API failure; undefined when `e` is not one (a bug of ours). */
export function classifySlackFailure(e: unknown): SlackFailure | undefined {
  if (typeof e !== "object" || e === null) return undefined;
  const err = e as WebApiErrorShape;
  switch (err.code) {
    case "slack_webapi_rate_limited_error": {
      const seconds = typeof err.retryAfter === "number" ? err.retryAfter : 1;
      return {
        kind: "rate_limited",
        code: "ratelimited",
        retryAfterMs: Math.max(1, seconds) * 1000,
      };
    }
    case "slack_webapi_platform_error": {
      const code = typeof err.data?.error === "string" ? err.data.error : "unknown_error";
      if (IN_DOUBT_REFUSALS.has(code)) return { kind: "in_doubt", code };
      return { kind: "refused", code, final: FINAL_REFUSALS.has(code) };
    }
    case "slack_webapi_http_error":
      return { kind: "in_doubt", code: `http_${String(err.statusCode ?? "error")}` };
    case "slack_webapi_request_error":
      return { kind: "in_doubt", code: "no_answer" };
    default:
      return undefined;
  }
}

const TRIGGER_SPENT = "Slack did not let Keyward open that in time. Please try again.";

const REFUSAL_TEXT: Record<string, string> = {
  expired_trigger_id: TRIGGER_SPENT,
  exchanged_trigger_id: TRIGGER_SPENT,
  invalid_trigger_id: TRIGGER_SPENT,
  hash_conflict: "That view changed while Keyward was updating it. Please try again.",
};

/** What the person who acted is told about a failure of Slack's. */
export function failureText(f: SlackFailure): string {
  switch (f.kind) {
    case "rate_limited":
      return "Slack is busy right now. Please try again in a moment.";
    case "in_doubt":
      return "Slack did not answer in time. Please try again in a moment.";
    case "refused":
      return (
        REFUSAL_TEXT[f.code] ??
        `Slack refused that (${f.code}); nothing was changed by it. Please try again.`
      );
  }
}
