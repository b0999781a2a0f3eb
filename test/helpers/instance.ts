// One Keyward instance for the multi-instance tests, as a child process: the production
// composition root on the environment's configuration, with the outbox worker and the
// time-based jobs quick (tests cannot wait 30 s for a job's turn). Prints its URL when ready.
import { startKeyward } from "../../src/app.ts";
import { configSchema } from "../../src/config.ts";

const app = await startKeyward({
  config: configSchema.parse(process.env),
  slackRetries: 0,
  slackTimeoutMs: 2000,
  worker: { pollMs: 50, backoffBaseMs: 50, uploadTimeoutMs: 2000 },
  jobsIntervalMs: 200,
  drainMs: 2000,
});
console.log(`instance listening at ${app.url}`);
process.once("SIGTERM", () => {
  app.stop().then(() => process.exit(0));
});
