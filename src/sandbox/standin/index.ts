// The Slack stand-in: a workspace, the Web API methods Keyward calls, and a driver that acts
// as Slack towards the app. The end-to-end tests use it as their fake Slack and the sandbox
// serves it to a browser: one implementation for both.
import type { Server } from "node:http";
import { Driver } from "./driver.ts";
import { createStandInServer, type ExtraRoute, type ResponsePost } from "./server.ts";
import { SocketModeLine } from "./socket-mode.ts";
import { WebApi } from "./web-api.ts";
import { Workspace } from "./workspace.ts";

export interface StandInOptions {
  botToken: string;
  signingSecret: string;
  /** Accepts Socket Mode connections with this app-level token (xapp-…). */
  appToken?: string;
  /** Where the app receives Slack's requests (…/slack/events); may be set after start. */
  appUrl?: string;
  port?: number;
  host?: string;
  extraRoutes?: ExtraRoute[];
}

export class SlackStandIn {
  readonly ws = new Workspace();
  readonly api: WebApi;
  readonly driver: Driver;
  readonly responsePosts: ResponsePost[] = [];
  /** The Socket Mode connection, when an app token was given. */
  readonly line: SocketModeLine | undefined;
  appUrl: string;
  private server: Server | undefined;
  private port = 0;
  private readonly host: string;

  constructor(readonly opts: StandInOptions) {
    this.api = new WebApi(this.ws, opts.botToken, () => this.url);
    this.appUrl = opts.appUrl ?? "";
    this.host = opts.host ?? "127.0.0.1";
    this.line = opts.appToken ? new SocketModeLine() : undefined;
    this.api.socketUrl = opts.appToken
      ? { token: opts.appToken, url: () => `ws://${this.host}:${this.port}/socket` }
      : undefined;
    this.driver = new Driver(this.ws, this.api, {
      appUrl: () => this.appUrl,
      signingSecret: opts.signingSecret,
      selfUrl: () => this.url,
      socket: () => this.line,
    });
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  /** The base URL to give the app's WebClient (SLACK_API_URL). */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  async start(): Promise<void> {
    const server = createStandInServer(
      this.ws,
      this.api,
      this.responsePosts,
      this.opts.extraRoutes,
    );
    this.line?.attach(server);
    // Like Slack's own edge: idle connections stay open longer than clients keep them.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.opts.port ?? 0, this.host, () => resolve());
    });
    const addr = server.address();
    this.port = typeof addr === "object" && addr ? addr.port : 0;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.line?.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    this.server = undefined;
  }
}

export type { Delivery, Surface } from "./driver.ts";
export type { FaultPlan, RecordedCall } from "./web-api.ts";
export type { Json, Message, Person, View } from "./workspace.ts";
