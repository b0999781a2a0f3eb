// One HTTP listener for everything: the verification API, the audit API, health (liveness at
// /healthz, readiness at /readyz), and (when
// Slack runs over HTTP) Slack's events at /slack/events, handed to Bolt's receiver.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { InFlight } from "../in-flight.ts";
import type { Log } from "../log.ts";
import { failed, json } from "./respond.ts";

/**
 * Returned by a handler that finishes later, from a callback rather than a promise: the request
 * counts in flight until the handler calls `release` (its third argument), once, even when the
 * client has gone away meanwhile, so a shutdown waits for what the answer sets off.
 */
export const LATER: unique symbol = Symbol("later");

export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  release: () => void,
) => void | Promise<void> | typeof LATER;

export interface Routes {
  verify: Handler;
  /** GET /v1/audit, for a SIEM. */
  audit?: Handler;
  /** GET /readyz: whether to send this instance traffic (http/ready.ts). */
  ready?: Handler;
  slack?: Handler;
  /** Extra GET/POST routes by exact path (the sandbox's page and its API). */
  extra?: Record<string, Handler>;
  /** Paths under a prefix (the sandbox's assets). */
  prefixes?: Array<[string, Handler]>;
}

/** The listener, and the requests it is answering (a shutdown lets them finish). */
export interface HttpListener {
  server: Server;
  requests: InFlight;
  /** Set when shutting down: answers say `Connection: close`, so no connection is reused. */
  draining: boolean;
}

export function createHttpServer(routes: Routes, log: Log): HttpListener {
  const requests = new InFlight();
  const listener: HttpListener = {
    server: undefined as unknown as Server,
    requests,
    draining: false,
  };
  const server = createServer((req, res) => {
    // A request counts until its answer is out (or its client gone) and its handler has
    // finished: returned, settled its promise, or (LATER) released it.
    const leave = requests.enter();
    let open = 2;
    const done = () => {
      open -= 1;
      if (open === 0) leave();
    };
    // "close" comes once per response; `on` spares the wrapper `once` makes per request.
    res.on("close", done);
    if (listener.draining) res.setHeader("connection", "close");
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const path = query === -1 ? url : url.slice(0, query);
    let handler: Handler | undefined;
    if (path === "/v1/verify") handler = routes.verify;
    else if (path === "/v1/audit" && routes.audit) handler = routes.audit;
    else if (path === "/healthz") handler = health;
    else if (path === "/readyz" && routes.ready) handler = routes.ready;
    else if (path === "/slack/events" && routes.slack) handler = routes.slack;
    else handler = routes.extra?.[path] ?? routes.prefixes?.find(([p]) => path.startsWith(p))?.[1];
    if (!handler) {
      done();
      return json(res, 404, { error: "not found" });
    }
    try {
      const pending = handler(req, res, done);
      if (pending === LATER) return;
      if (pending) pending.catch((e) => failed(res, e, log)).finally(done);
      else done();
    } catch (e) {
      failed(res, e, log);
      done();
    }
  });
  // Idle keep-alive connections outlive the clients' own idle timeouts (and a load balancer's
  // usual 60 s), so the server never closes one just as a client reuses it; slow or stalled
  // requests are still cut off.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 70_000;
  listener.server = server;
  return listener;
}

const health: Handler = (req, res) => {
  if (req.method !== "GET" && req.method !== "HEAD") return json(res, 405, { error: "use GET" });
  json(res, 200, { ok: true });
};

export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const addr = server.address();
      resolve(typeof addr === "object" && addr ? addr.port : port);
    });
  });
}

/**
 * Stops accepting connections, lets the requests in flight finish (for at most `drainMs`),
 * then closes every connection left. True when nothing had to be cut off.
 */
export async function drain(l: HttpListener, drainMs: number): Promise<boolean> {
  l.draining = true;
  // close() also closes the connections idle now; a busy one closes after its answer, which
  // says `Connection: close`.
  const closed = new Promise<void>((resolve) => l.server.close(() => resolve()));
  const finished = await l.requests.idle(drainMs);
  l.server.closeAllConnections();
  await closed;
  return finished;
}
