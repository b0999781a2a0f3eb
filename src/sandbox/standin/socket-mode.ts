// Socket Mode as Slack runs it: apps.connections.open hands out a WebSocket URL; Slack sends
// envelopes (slash_commands, interactive, events_api) over it and waits for the app's ack,
// which carries the response payload; it pings so the client knows the line is alive.
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { APP_ID, type Json } from "./workspace.ts";

export type EnvelopeType = "slash_commands" | "interactive" | "events_api";

export class SocketModeLine {
  private readonly wss = new WebSocketServer({ noServer: true });
  private socket: WebSocket | undefined;
  private readonly waiting = new Map<string, (payload: Json | undefined) => void>();
  private seq = 0;
  private pinger: NodeJS.Timeout | undefined;
  private connectedWaiters: Array<() => void> = [];

  attach(server: Server): void {
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!req.url?.startsWith("/socket")) {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
    this.pinger = setInterval(() => this.socket?.ping(), 10_000);
    this.pinger.unref();
  }

  private accept(ws: WebSocket): void {
    this.socket?.close();
    this.socket = ws;
    ws.on("message", (data) => {
      let msg: { envelope_id?: string; payload?: Json };
      try {
        msg = JSON.parse(String(data));
      } catch {
        return;
      }
      const done = msg.envelope_id ? this.waiting.get(msg.envelope_id) : undefined;
      if (done && msg.envelope_id) {
        this.waiting.delete(msg.envelope_id);
        done(msg.payload);
      }
    });
    ws.on("close", () => {
      if (this.socket === ws) this.socket = undefined;
    });
    ws.send(
      JSON.stringify({
        type: "hello",
        num_connections: 1,
        connection_info: { app_id: APP_ID },
        debug_info: { host: "keyward-standin" },
      }),
    );
    for (const w of this.connectedWaiters.splice(0)) w();
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  /** Resolves once an app is connected. */
  whenConnected(): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve) => this.connectedWaiters.push(resolve));
  }

  /** Sends an envelope and waits for its ack (Slack gives up after 3 s; so do we, with a margin). */
  send(type: EnvelopeType, payload: Json, timeoutMs = 5000): Promise<Json | undefined> {
    const ws = this.socket;
    if (!ws) return Promise.reject(new Error("no Socket Mode connection"));
    const envelopeId = `env-${++this.seq}-${Date.now()}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(envelopeId);
        reject(new Error("no ack within the time"));
      }, timeoutMs);
      this.waiting.set(envelopeId, (p) => {
        clearTimeout(timer);
        resolve(p);
      });
      ws.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: type !== "events_api",
          retry_attempt: 0,
          retry_reason: "",
        }),
      );
    });
  }

  /** Drops the current connection (as Slack does now and then); the app may connect again. */
  drop(): void {
    this.socket?.terminate();
  }

  close(): void {
    clearInterval(this.pinger);
    this.socket?.close();
    this.wss.close();
  }
}
