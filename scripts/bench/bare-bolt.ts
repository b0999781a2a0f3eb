// The baseline for bench:slack: a bare Bolt app (its own HTTPReceiver) that answers /apikeys
// by opening a fixed modal.
import { App, LogLevel } from "@slack/bolt";

const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? "",
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL, retryConfig: { retries: 0 } },
});
const view = {
  type: "modal" as const,
  title: { type: "plain_text" as const, text: "Fixed modal" },
  close: { type: "plain_text" as const, text: "Close" },
  blocks: [{ type: "section" as const, text: { type: "mrkdwn" as const, text: "Hello" } }],
};
app.command("/apikeys", async ({ ack, body, client }) => {
  await ack();
  await client.views.open({ trigger_id: body.trigger_id, view });
});
await app.start(Number(process.env.PORT));
process.send?.("ready");
