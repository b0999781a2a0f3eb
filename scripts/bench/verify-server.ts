// Keyward's HTTP listener with the verification API only (no Slack), on the benchmark's
// database: the same composition root and handler as in production. Time-based jobs run every
// BENCH_JOBS_MS (default 1 s instead of 30 s) so that every round of load meets them.
import { startKeyward } from "../../src/app.ts";
import { configSchema } from "../../src/config.ts";
import { serveLoopDelay } from "./loop-delay.ts";

serveLoopDelay();
const app = await startKeyward({
  config: configSchema.parse(process.env),
  jobsIntervalMs: Number(process.env.BENCH_JOBS_MS ?? 1000),
});
process.once("SIGTERM", () => {
  app.stop().then(() => process.exit(0));
});
