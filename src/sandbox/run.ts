// The sandbox: Keyward running against the built-in Slack stand-in, with a page on localhost
// where a person picks who they are and clicks through the real messages and modals.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { type Keyward, startKeyward } from "../app.ts";
import { configSchema } from "../config.ts";
import type { Clock } from "../domain/clock.ts";
import type { Log } from "../log.ts";
import { bundlePage, type Page } from "./bundle.ts";
import { DEMO_CHANNELS, DEMO_OWNERS, DEMO_PEOPLE, seedDemo, seedDemoUsage } from "./demo.ts";
import { pageApi } from "./page-api.ts";
import { autosave, loadWorkspace } from "./persist.ts";
import { SlackStandIn } from "./standin/index.ts";

export interface SandboxOptions {
  /** The page's port; Keyward itself listens on the next one (0: any free ports). */
  port: number;
  dataDir: string;
  log?: Log;
  clock?: Clock;
  verifyToken?: string;
  /** GET /v1/audit's token; the audit API is off without one. */
  auditToken?: string;
  jobsIntervalMs?: number;
}

export interface Sandbox {
  url: string;
  app: Keyward;
  slack: SlackStandIn;
  verifyToken: string;
  seeded: boolean;
  stop(): Promise<void>;
}

function staticRoutes(page: Page) {
  return (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    if (req.method !== "GET") return false;
    const file = page.files[path === "/" ? "/index.html" : path];
    if (!file) return false;
    res.writeHead(200, { "content-type": file.type, "cache-control": "no-store" });
    res.end(file.body);
    return true;
  };
}

export async function startSandbox(o: SandboxOptions): Promise<Sandbox> {
  const botToken = `xoxb-sandbox-${randomBytes(12).toString("hex")}`;
  const signingSecret = randomBytes(24).toString("hex");
  const verifyToken = o.verifyToken ?? `sandbox-${randomBytes(12).toString("hex")}`;
  const page = await bundlePage();
  const slack: SlackStandIn = new SlackStandIn({
    botToken,
    signingSecret,
    port: o.port,
    host: "127.0.0.1",
    extraRoutes: [(req, res, path) => pageApi(slack)(req, res, path), staticRoutes(page)],
  });
  for (const p of DEMO_PEOPLE) slack.ws.addPerson(p);
  const slackFile = join(o.dataDir, "sandbox-slack.json");
  if (!loadWorkspace(slack.ws, slackFile)) {
    for (const c of DEMO_CHANNELS) slack.ws.addChannel(c.id, c.name);
  }
  await slack.start();
  const config = configSchema.parse({
    SLACK_BOT_TOKEN: botToken,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slack.apiUrl,
    OWNER_USER_IDS: DEMO_OWNERS.join(","),
    VERIFY_API_TOKEN: verifyToken,
    ...(o.auditToken ? { AUDIT_API_TOKEN: o.auditToken } : {}),
    PORT: String(o.port === 0 ? 0 : o.port + 1),
    HOST: "127.0.0.1",
    DATABASE_PATH: join(o.dataDir, "sandbox.db"),
    LOG_LEVEL: "warn",
  });
  let app: Keyward;
  try {
    app = await startKeyward({
      config,
      log: o.log,
      clock: o.clock,
      jobsIntervalMs: o.jobsIntervalMs,
    });
  } catch (e) {
    await slack.stop();
    throw e;
  }
  slack.appUrl = `${app.url}/slack/events`;
  const seeded = await seedDemo(app.ctx);
  if (seeded) await seedDemoUsage(app.store.uow, app.ctx.clock.now());
  app.worker?.kick();
  const saving = autosave(slack.ws, slackFile);
  return {
    url: slack.url,
    app,
    slack,
    verifyToken,
    seeded,
    async stop() {
      await app.stop();
      saving.stop();
      await slack.stop();
    },
  };
}
