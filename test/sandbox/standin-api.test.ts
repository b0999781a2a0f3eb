// The stand-in's answers to the Web API methods Keyward relies on for times and links, held
// against Slack's own published spec (vendor/): users.info carries the person's time zone,
// chat.getPermalink links an existing message and refuses what Slack refuses.
import { readFileSync } from "node:fs";
import { LogLevel, WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlackStandIn } from "../../src/sandbox/standin/index.ts";

const spec = JSON.parse(
  readFileSync(new URL("../../vendor/slack/slack_web_openapi_v2.json", import.meta.url), "utf8"),
) as {
  definitions: Record<string, { items?: Array<{ properties: Record<string, unknown> }> }>;
  paths: Record<string, { get?: { responses: Record<string, { schema: SpecSchema }> } }>;
};
interface SpecSchema {
  properties: Record<string, { enum?: string[] }>;
}

let slack: SlackStandIn;
let client: WebClient;

beforeAll(async () => {
  slack = new SlackStandIn({ botToken: "xoxb-standin-api", signingSecret: "s" });
  await slack.start();
  slack.ws.addPerson({
    id: "U0LA",
    name: "la",
    realName: "Los Angeles",
    tz: "America/Los_Angeles",
  });
  slack.ws.addPerson({ id: "U0NOTZ", name: "notz", realName: "No Zone Given" });
  slack.ws.addChannel("C0GENERAL", "general");
  client = new WebClient("xoxb-standin-api", {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    logLevel: LogLevel.ERROR,
  });
});
afterAll(() => slack.stop());

describe("users.info", () => {
  it("gives the person's time zone as Slack's user object names it (tz, tz_label, tz_offset)", async () => {
    const userFields = spec.definitions.objs_user?.items?.[0]?.properties ?? {};
    for (const f of ["tz", "tz_label", "tz_offset"]) expect(Object.keys(userFields)).toContain(f);

    const { user } = await client.users.info({ user: "U0LA" });
    expect(user?.tz).toBe("America/Los_Angeles");
    // Seconds east of UTC now: -8 h in winter, -7 h in summer.
    expect([-28800, -25200]).toContain(user?.tz_offset);
    expect(user?.tz_label).toMatch(/Pacific/);
  });

  it("answers UTC for someone whose zone the workspace does not know", async () => {
    const { user } = await client.users.info({ user: "U0NOTZ" });
    expect(user).toMatchObject({ tz: "UTC", tz_offset: 0 });
  });
});

describe("chat.getPermalink", () => {
  const errors =
    spec.paths["/chat.getPermalink"]?.get?.responses.default?.schema.properties.error?.enum ?? [];

  it("links a message that exists", async () => {
    const posted = await client.chat.postMessage({ channel: "C0GENERAL", text: "hello" });
    const r = await client.chat.getPermalink({
      channel: "C0GENERAL",
      message_ts: String(posted.ts),
    });
    expect(r.permalink).toMatch(/^https:\/\/.+\/archives\/C0GENERAL\/p\d+$/);
  });

  it("refuses an unknown conversation or message, with the errors Slack's spec lists", async () => {
    expect(errors).toEqual(expect.arrayContaining(["channel_not_found", "message_not_found"]));
    await expect(
      client.chat.getPermalink({ channel: "C0NOWHERE", message_ts: "1.000001" }),
    ).rejects.toMatchObject({ data: { error: "channel_not_found" } });
    await expect(
      client.chat.getPermalink({ channel: "C0GENERAL", message_ts: "1.000001" }),
    ).rejects.toMatchObject({ data: { error: "message_not_found" } });
  });
});
