// Starts Keyward in the mode the environment asks for: Socket Mode, HTTP, or the sandbox
// (`npm run sandbox`, or `npm start` with no Slack, owner or database variable set).
import { dirname } from "node:path";
import { startKeyward } from "./app.ts";
import { type Config, ConfigError, loadConfig, type Startup } from "./config.ts";
import { createLog } from "./log.ts";
import { startSandbox } from "./sandbox/run.ts";

/** How long stop() may take in all before the process gives up on it: the drain and then some. */
const STOP_LIMIT_MS = 15_000;

function onStop(stop: () => Promise<void>, log: (msg: string) => void): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    // A second signal means "now".
    if (stopping) process.exit(1);
    stopping = true;
    log(`${signal}: shutting down`);
    setTimeout(() => process.exit(1), STOP_LIMIT_MS).unref();
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

async function sandbox(config: Config): Promise<void> {
  const s = await startSandbox({
    port: config.PORT,
    dataDir: dirname(config.DATABASE_PATH),
    log: createLog(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL),
    verifyToken: config.VERIFY_API_TOKEN,
    auditToken: config.AUDIT_API_TOKEN,
  });
  onStop(() => s.stop(), console.log);
  const line = "─".repeat(68);
  console.log(
    [
      line,
      " Keyward sandbox — not connected to Slack.",
      "",
      ` Open ${s.url} and pick who you are: two owners, an on-call`,
      " engineer and two members, in a local stand-in for Slack.",
      "",
      ` Data: ${dirname(config.DATABASE_PATH)}/sandbox.db (kept between runs)${s.seeded ? " — demo account seeded" : ""}`,
      ` Verification API: curl -X POST ${s.app.url}/v1/verify \\`,
      // A token of the sandbox's own making can be shown; a configured one is a secret.
      config.VERIFY_API_TOKEN
        ? `   -H "Authorization: Bearer $VERIFY_API_TOKEN" -d '{"key":"kw_…"}'`
        : `   -H 'Authorization: Bearer ${s.verifyToken}' -d '{"key":"kw_…"}'`,
      "",
      " To use a real workspace, set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET",
      " (or SLACK_APP_TOKEN for Socket Mode) and OWNER_USER_IDS. Ctrl-C stops.",
      line,
    ].join("\n"),
  );
}

async function main(): Promise<void> {
  let startup: Startup;
  try {
    startup = loadConfig(process.env, ".env", { sandbox: process.argv.includes("--sandbox") });
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  const { config, mode } = startup;
  if (mode === "sandbox") return sandbox(config);
  const app = await startKeyward({ config });
  onStop(
    () => app.stop(),
    (m) => app.log.info(m),
  );
  app.log.info({ url: app.url, mode }, "Keyward is listening");
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
