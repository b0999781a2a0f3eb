import { describe, expect, it } from "vitest";
import { newPublicId, newSecret } from "../src/domain/secrets.ts";
import { boltLogger, createLog, scrubStats } from "../src/log.ts";
import { messageFor } from "../src/slack/replies.ts";

describe("the logger", () => {
  it("scrubs anything shaped like a key secret, and counts that it had to", () => {
    const lines: string[] = [];
    const log = createLog("info", (l) => lines.push(l));
    const secret = newSecret(newPublicId());
    const before = scrubStats.lines;
    log.info({ body: `payload with ${secret}` }, "incoming");
    log.info("nothing to hide here");
    expect(lines.join("")).not.toContain(secret);
    expect(lines[0]).toContain("kw_[redacted]");
    expect(scrubStats.lines).toBe(before + 1);
  });
});

describe("errors in the log", () => {
  const capture = (level = "debug") => {
    const lines: string[] = [];
    return { log: createLog(level, (l) => lines.push(l)), lines };
  };
  interface Line {
    msg?: string;
    err?: { type?: string; message?: string; stack?: string; code?: string; slackError?: string };
  }
  const parsed = (lines: string[]) => lines.map((l) => JSON.parse(l) as Line);

  it("are logged as errors, with their stack", () => {
    const { log, lines } = capture();
    const deps = { ctx: { clock: { now: () => new Date() } }, log };
    messageFor(deps, new TypeError("boom in a listener"), "a test");
    const [line] = parsed(lines);
    expect(line?.err?.message).toBe("boom in a listener");
    expect(line?.err?.type).toBe("TypeError");
    expect(line?.err?.stack).toMatch(/TypeError: boom in a listener\n\s+at /);
  });

  it("keep Slack's error code but not what the failed call carried (its token)", () => {
    const { log, lines } = capture();
    const e = Object.assign(new Error("An HTTP protocol error occurred: statusCode = 500"), {
      code: "slack_webapi_http_error",
      statusCode: 500,
      original: { config: { headers: { Authorization: "Bearer xoxb-secret-bot-token" } } },
      data: { error: "internal_error", response_metadata: { scopes: ["chat:write"] } },
    });
    log.warn({ err: e }, "Slack refused a call");
    const [line] = parsed(lines);
    expect(line?.err).toMatchObject({
      code: "slack_webapi_http_error",
      slackError: "internal_error",
    });
    expect(line?.err?.stack).toContain("statusCode = 500");
    expect(lines.join("")).not.toContain("xoxb-secret-bot-token");
  });

  it("through Bolt's logger: errors with a stack, objects readable, debug lines never", () => {
    const { log, lines } = capture();
    const bolt = boltLogger(log);
    bolt.error(new Error("a listener threw"));
    bolt.warn("could not handle", { type: "block_actions", action: "x" });
    bolt.debug(`Calling ack() - data: ${newSecret(newPublicId())}`);
    const [error, warn, ...rest] = parsed(lines);
    expect(error?.err?.stack).toContain("a listener threw");
    expect(warn?.msg).toContain("block_actions");
    expect(lines.join("")).not.toContain("[object Object]");
    expect(rest).toEqual([]);
  });
});
