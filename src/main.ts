// Starts Keyward in the mode the environment asks for (DESIGN §4).
import { startKeyward } from "./app.ts";
import { ConfigError, loadConfig, modeOf } from "./config.ts";

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  const mode = modeOf(config);
  if (mode === "sandbox" && !config.VERIFY_API_TOKEN) {
    console.error(
      [
        "Keyward is not connected to Slack. Set either:",
        "  SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP mode), or",
        "  SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode),",
        "plus OWNER_USER_IDS; or set VERIFY_API_TOKEN to serve only the verification API.",
      ].join("\n"),
    );
    process.exit(1);
  }
  const app = await startKeyward({ config });
  app.log.info({ url: app.url, mode }, "Keyward is listening");
  const shutdown = (signal: string) => {
    app.log.info({ signal }, "shutting down");
    app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
