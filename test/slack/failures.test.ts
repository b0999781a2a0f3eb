// The classification of Slack Web API failures: from the web client's own error classes, and
// from what a real WebClient throws when the Slack stand-in misbehaves on purpose.
import {
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
} from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../src/domain/errors.ts";
import { SlackStandIn } from "../../src/sandbox/standin/index.ts";
import type { FaultKind } from "../../src/sandbox/standin/web-api.ts";
import { classifySlackFailure, failureText } from "../../src/slack/failures.ts";

const refusal = (error: string) => new WebAPIPlatformError({ ok: false, error });

describe("classifySlackFailure", () => {
  it("reads a 429 as rate limited, with Slack's Retry-After in milliseconds (at least 1 s)", () => {
    expect(classifySlackFailure(new WebAPIRateLimitedError(7))).toEqual({
      kind: "rate_limited",
      code: "ratelimited",
      retryAfterMs: 7000,
    });
    expect(classifySlackFailure(new WebAPIRateLimitedError(0))).toMatchObject({
      retryAfterMs: 1000,
    });
  });

  it("reads ok:false as a refusal, final when asking again cannot help", () => {
    expect(classifySlackFailure(refusal("channel_not_found"))).toEqual({
      kind: "refused",
      code: "channel_not_found",
      final: true,
    });
    expect(classifySlackFailure(refusal("invalid_blocks"))).toMatchObject({ final: true });
    expect(classifySlackFailure(refusal("hash_conflict"))).toEqual({
      kind: "refused",
      code: "hash_conflict",
      final: false,
    });
    expect(classifySlackFailure(refusal("expired_trigger_id"))).toMatchObject({ final: false });
  });

  it("reads no answer, an HTTP error or Slack's own internal errors as in doubt", () => {
    expect(classifySlackFailure(new WebAPIRequestError(new Error("socket hang up")))).toEqual({
      kind: "in_doubt",
      code: "no_answer",
    });
    expect(classifySlackFailure(new WebAPIHTTPError(503, "Service Unavailable", {}))).toEqual({
      kind: "in_doubt",
      code: "http_503",
    });
    for (const code of ["request_timeout", "internal_error", "fatal_error"]) {
      expect(classifySlackFailure(refusal(code))).toEqual({ kind: "in_doubt", code });
    }
  });

  it("is not fooled by what is not a Web API failure", () => {
    for (const e of [
      new Error("boom"),
      new DomainError("invalid", "nope"),
      { code: "ECONNRESET" },
      "slack_webapi_platform_error",
      null,
      undefined,
    ]) {
      expect(classifySlackFailure(e)).toBeUndefined();
    }
  });

  it("names an ok:false without an error code as unknown", () => {
    const e = Object.assign(new Error("odd"), { code: "slack_webapi_platform_error", data: {} });
    expect(classifySlackFailure(e)).toEqual({
      kind: "refused",
      code: "unknown_error",
      final: false,
    });
  });
});

describe("failureText", () => {
  it("tells the person what happened and what to do, never a stack or a token", () => {
    expect(failureText({ kind: "rate_limited", code: "ratelimited", retryAfterMs: 1000 })).toBe(
      "Slack is busy right now. Please try again in a moment.",
    );
    expect(failureText({ kind: "in_doubt", code: "no_answer" })).toBe(
      "Slack did not answer in time. Please try again in a moment.",
    );
    for (const code of ["expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id"]) {
      expect(failureText({ kind: "refused", code, final: false })).toBe(
        "Slack did not let Keyward open that in time. Please try again.",
      );
    }
    expect(failureText({ kind: "refused", code: "hash_conflict", final: false })).toContain(
      "That view changed",
    );
    expect(failureText({ kind: "refused", code: "channel_not_found", final: true })).toBe(
      "Slack refused that (channel_not_found); nothing was changed by it. Please try again.",
    );
  });
});

describe("what a real WebClient throws", () => {
  const slack = new SlackStandIn({ botToken: "xoxb-test-failures", signingSecret: "s" });
  let client: WebClient;
  beforeAll(async () => {
    await slack.start();
    client = new WebClient("xoxb-test-failures", {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 300,
      logLevel: LogLevel.ERROR,
    });
  });
  afterAll(() => slack.stop());

  const failureOf = async (kind: FaultKind) => {
    slack.api.setFaults({
      rate: 1,
      kinds: [kind],
      methods: ["chat.postMessage"],
      retryAfterSeconds: 3,
      timeoutMs: 2000,
    });
    try {
      const e = await client.chat.postMessage({ channel: "C0NOWHERE", text: "hi" }).then(
        () => undefined,
        (err: unknown) => err,
      );
      return classifySlackFailure(e);
    } finally {
      slack.api.setFaults(undefined);
    }
  };

  it("classifies each kind of fault as the worker and the listeners need it", async () => {
    expect(await failureOf("rate_limited")).toEqual({
      kind: "rate_limited",
      code: "ratelimited",
      retryAfterMs: 3000,
    });
    expect(await failureOf("channel_not_found")).toEqual({
      kind: "refused",
      code: "channel_not_found",
      final: true,
    });
    expect(await failureOf("server_error")).toEqual({ kind: "in_doubt", code: "http_500" });
    expect(await failureOf("timeout")).toEqual({ kind: "in_doubt", code: "no_answer" });
  });
});
