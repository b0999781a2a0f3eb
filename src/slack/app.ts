// Bolt wiring: the App over Keyward's HTTP receiver (or Socket Mode), and every listener.
import { App, LogLevel, SocketModeReceiver } from "@slack/bolt";
import { WebClient, type WebClientOptions } from "@slack/web-api";
import type { Ctx } from "../domain/context.ts";
import { InFlight } from "../in-flight.ts";
import { boltLogger, type Log } from "../log.ts";
import { registerExpiryActions } from "./actions/expiry.ts";
import { registerKeyPick } from "./actions/key-pick.ts";
import { registerKeyActions } from "./actions/keys.ts";
import { registerOncallActions } from "./actions/oncall.ts";
import { registerRequestActions } from "./actions/requests.ts";
import { registerSuggestions } from "./actions/suggestions.ts";
import { registerUsageActions } from "./actions/usage.ts";
import { registerApikeysCommand } from "./commands/apikeys.ts";
import type { SlackDeps } from "./deps.ts";
import { registerHome } from "./events/home.ts";
import { registerMessageEvents } from "./events/messages.ts";
import { People } from "./people.ts";
import { KeywardReceiver, type ReplayGuard } from "./receiver.ts";
import { type ListenerRecord, recordingApp } from "./registry.ts";
import { registerReportLeakShortcut } from "./shortcuts/report-leak.ts";
import { registerRequestAccessShortcut } from "./shortcuts/request-access.ts";
import { registerExpiryViews } from "./views/expiry.ts";
import { registerKeyPickView } from "./views/key-pick.ts";
import { registerKeyViews } from "./views/keys.ts";
import { registerRequestViews } from "./views/requests.ts";

export interface SlackOptions {
  ctx: Ctx;
  log: Log;
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  apiUrl?: string;
  replays: ReplayGuard;
  /** Retries of the listeners' own Web API calls (0 under test). */
  retries?: number;
  timeoutMs?: number;
  kick(): void;
}

export interface SlackApp {
  app: App;
  client: WebClient;
  /** The delivery worker's client: no retries of its own, 429s handed back (it backs off). */
  notifyClient: WebClient;
  deps: SlackDeps;
  /** Every listener registered: command, action_id, callback_id, options handler, event. */
  listeners: readonly ListenerRecord[];
  /** Events being processed, acknowledgement and the work after it alike. */
  work: InFlight;
  /** Socket Mode: whether the connection to Slack is up now. Undefined in HTTP mode. */
  connected(): boolean | undefined;
  /** The /slack/events handler in HTTP mode; undefined in Socket Mode. */
  http?: KeywardReceiver["handle"];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function clientOptions(o: {
  apiUrl?: string;
  log: Log;
  retries: number;
  timeoutMs?: number;
}): WebClientOptions {
  return {
    ...(o.apiUrl ? { slackApiUrl: o.apiUrl } : {}),
    logger: boltLogger(o.log),
    logLevel: LogLevel.WARN,
    // A listener's call works for a person waiting on it: fail fast rather than retry for
    // the ~30 minutes the client would by default.
    retryConfig: { retries: o.retries, factor: 2, minTimeout: 200, maxTimeout: 1000 },
    timeout: o.timeoutMs ?? 5000,
  };
}

export function createSlackApp(o: SlackOptions): SlackApp {
  const options = clientOptions({
    apiUrl: o.apiUrl,
    log: o.log,
    retries: o.retries ?? 2,
    timeoutMs: o.timeoutMs,
  });
  const client = new WebClient(o.botToken, options);
  const socket = o.appToken
    ? new SocketModeReceiver({
        appToken: o.appToken,
        logger: boltLogger(o.log),
        // apps.connections.open goes where the rest of the Web API goes (the stand-in, in tests).
        installerOptions: o.apiUrl ? { clientOptions: { slackApiUrl: o.apiUrl } } : {},
      })
    : undefined;
  let up = false;
  socket?.client.on("connected", () => {
    up = true;
  });
  // "close": the WebSocket itself went away (the client reconnects after a pause).
  for (const state of ["close", "reconnecting", "disconnecting", "disconnected"]) {
    socket?.client.on(state, () => {
      up = false;
    });
  }
  const receiver = socket
    ? undefined
    : new KeywardReceiver(o.signingSecret ?? "", o.replays, o.log);
  const app = new App({
    token: o.botToken,
    receiver: socket ?? receiver,
    logger: boltLogger(o.log),
    clientOptions: options,
    // auth.test runs in start(), where a failure can stop the process with a clear message.
    deferInitialization: true,
  });
  const deps: SlackDeps = {
    ctx: o.ctx,
    log: o.log,
    people: new People(client),
    kick: o.kick,
    isResponseUrl: (url) => {
      try {
        const origin = new URL(url).origin;
        return (
          origin === "https://hooks.slack.com" ||
          (o.apiUrl !== undefined && origin === new URL(o.apiUrl).origin)
        );
      } catch {
        return false;
      }
    },
  };

  // Counts each event from arrival until every listener's work (after its ack) has finished.
  const work = new InFlight();
  app.use(async ({ next }) => {
    const leave = work.enter();
    try {
      await next();
    } finally {
      leave();
    }
  });
  app.error(async (e) => {
    o.log.error({ err: e }, "unhandled Slack listener error");
  });
  const { app: registering, listeners } = recordingApp(app);
  registerApikeysCommand(registering, deps);
  registerKeyActions(registering, deps);
  registerSuggestions(registering, deps);
  registerKeyViews(registering, deps);
  registerKeyPick(registering, deps);
  registerKeyPickView(registering, deps);
  registerRequestActions(registering, deps);
  registerRequestViews(registering, deps);
  registerOncallActions(registering, deps);
  registerUsageActions(registering, deps);
  registerExpiryActions(registering, deps);
  registerExpiryViews(registering, deps);
  registerMessageEvents(registering, deps);
  registerHome(registering, deps);
  registerReportLeakShortcut(registering, deps);
  registerRequestAccessShortcut(registering, deps);
  // Views with nothing to submit still send `view_closed`/interactions nowhere: no listener.

  const notifyClient = new WebClient(o.botToken, {
    ...clientOptions({ apiUrl: o.apiUrl, log: o.log, retries: 0, timeoutMs: o.timeoutMs }),
    rejectRateLimitedCalls: true,
  });

  return {
    app,
    client,
    notifyClient,
    deps,
    listeners,
    work,
    connected: () => (socket ? up : undefined),
    http: receiver?.handle,
    start: async () => {
      await app.init();
      if (socket) await app.start();
    },
    stop: async () => {
      if (socket) await app.stop();
    },
  };
}
