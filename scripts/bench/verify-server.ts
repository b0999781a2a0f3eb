// Keyward's HTTP listener with the verification API only (no Slack), on the benchmark's
// database: the same composition root and handler as in production.
import { startKeyward } from "../../src/app.ts";
import { configSchema } from "../../src/config.ts";

const app = await startKeyward({ config: configSchema.parse(process.env) });
process.once("SIGTERM", () => {
  app.stop().then(() => process.exit(0));
});
