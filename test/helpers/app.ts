import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Keyward, startKeyward } from "../../src/app.ts";
import { type Config, configSchema } from "../../src/config.ts";
import { createLog } from "../../src/log.ts";
import { ManualClock } from "./clock.ts";
import { OWNER, OWNER2 } from "./store.ts";

export const VERIFY_TOKEN = "test-verify-token-0123456789";

export interface TestApp {
  app: Keyward;
  clock: ManualClock;
  logs: string[];
  dir: string;
  stop(): Promise<void>;
}

/** Starts the real app on 127.0.0.1 with a fresh SQLite file; logs are captured. */
export async function testApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), "keyward-app-"));
  const config: Config = configSchema.parse({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_PATH: join(dir, "keyward.db"),
    OWNER_USER_IDS: `${OWNER},${OWNER2}`,
    VERIFY_API_TOKEN: VERIFY_TOKEN,
    LOG_LEVEL: "debug",
    ...env,
  });
  const logs: string[] = [];
  const clock = new ManualClock();
  const app = await startKeyward({ config, clock, log: createLog("debug", (l) => logs.push(l)) });
  return {
    app,
    clock,
    logs,
    dir,
    async stop() {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
