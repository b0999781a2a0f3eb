// Keyward's HTTP listener with the verification API only (no Slack), on the benchmark's
// database: the same composition root and handler as in production. Asked "eld" over IPC, it
// answers its event-loop delay (p50, p99, max in ms) since the previous ask.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { startKeyward } from "../../src/app.ts";
import { configSchema } from "../../src/config.ts";

const app = await startKeyward({ config: configSchema.parse(process.env) });
const eld = monitorEventLoopDelay({ resolution: 1 });
eld.enable();
process.on("message", (m) => {
  if (m !== "eld") return;
  const ms = (ns: number) => ns / 1e6;
  process.send?.({ p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max) });
  eld.reset();
});
process.once("SIGTERM", () => {
  app.stop().then(() => process.exit(0));
});
