// Slack's requests over HTTP, on Keyward's own listener. Verifies the signature the way Slack
// signs (HMAC-SHA256 over `v0:<timestamp>:<body>`, 5 minutes of clock skew), refuses a
// signature it has already accepted (Bolt alone would accept a replay within those 5
// minutes), then hands the event to Bolt with Bolt's own acknowledgement machinery.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type App,
  type BufferedIncomingMessage,
  HTTPModuleFunctions,
  HTTPResponseAck,
  type Receiver,
} from "@slack/bolt";
import { BodyTooLarge, readBody } from "../http/body.ts";
import { boltLogger, type Log } from "../log.ts";

export const SLACK_BODY_LIMIT = 1024 * 1024;
const MAX_SKEW_SECONDS = 5 * 60;

export interface ReplayGuard {
  /**
   * True the first time this signature is seen (kept at least as long as the skew window).
   * Rejects when it cannot tell (the request is then refused with 503).
   */
  claim(signature: string, requestTimestampMs: number): Promise<boolean>;
}

export class KeywardReceiver implements Receiver {
  private app: App | undefined;
  private readonly boltLog;

  constructor(
    private readonly signingSecret: string,
    private readonly replays: ReplayGuard,
    private readonly log: Log,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.boltLog = boltLogger(log);
  }

  init(app: App): void {
    this.app = app;
  }

  // The HTTP listener belongs to Keyward (http/server.ts); nothing to start or stop here.
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  private verified(req: IncomingMessage, raw: Buffer): "ok" | "bad" | "stale" {
    const signature = String(req.headers["x-slack-signature"] ?? "");
    const ts = Number(req.headers["x-slack-request-timestamp"]);
    if (!signature.startsWith("v0=") || !Number.isInteger(ts)) return "bad";
    if (Math.abs(this.nowSeconds() - ts) > MAX_SKEW_SECONDS) return "stale";
    const expected = Buffer.from(
      `v0=${createHmac("sha256", this.signingSecret).update(`v0:${ts}:`).update(raw).digest("hex")}`,
    );
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected) ? "ok" : "bad";
  }

  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST" }).end();
      return;
    }
    let raw: Buffer;
    try {
      raw = await readBody(req, SLACK_BODY_LIMIT);
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        res.writeHead(413).end();
        return;
      }
      throw e;
    }
    const check = this.verified(req, raw);
    if (check !== "ok") {
      this.log.warn({ reason: check }, "refused a Slack request with a bad or stale signature");
      res.writeHead(401).end();
      return;
    }
    const ts = Number(req.headers["x-slack-request-timestamp"]) * 1000;
    let first: boolean;
    try {
      first = await this.replays.claim(String(req.headers["x-slack-signature"]), ts);
    } catch (e) {
      // The replay memory could not answer: refused (fail closed), Slack may retry.
      this.log.warn({ err: (e as Error).message }, "refused a Slack request: replay check failed");
      res.writeHead(503).end();
      return;
    }
    if (!first) {
      this.log.warn("refused a replayed Slack request (signature already used)");
      res.writeHead(401).end();
      return;
    }
    const buffered = req as BufferedIncomingMessage;
    buffered.rawBody = raw;
    let body: Record<string, unknown>;
    try {
      body = HTTPModuleFunctions.parseHTTPRequestBody(buffered);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (body.ssl_check === "1") return HTTPModuleFunctions.buildSSLCheckResponse(res);
    if (body.type === "url_verification")
      return HTTPModuleFunctions.buildUrlVerificationResponse(res, body);

    const ack = new HTTPResponseAck({
      logger: this.boltLog,
      processBeforeResponse: false,
      unhandledRequestHandler: HTTPModuleFunctions.defaultUnhandledRequestHandler,
      unhandledRequestTimeoutMillis: 3001,
      httpRequest: buffered,
      httpRequestBody: body,
      httpResponse: res,
    });
    try {
      await this.app?.processEvent({
        body,
        ack: ack.bind(),
        retryNum: HTTPModuleFunctions.extractRetryNumFromHTTPRequest(req),
        retryReason: HTTPModuleFunctions.extractRetryReasonFromHTTPRequest(req),
        customProperties: {},
      });
    } catch (error) {
      const acked = await HTTPModuleFunctions.defaultProcessEventErrorHandler({
        error: error as Error,
        logger: this.boltLog,
        request: req,
        response: res,
        storedResponse: ack.storedResponse,
      });
      if (acked) ack.ack();
    }
  };
}
