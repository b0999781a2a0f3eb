import type { ServerResponse } from "node:http";
import type { Log } from "../log.ts";

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

/** A handler threw: logged in full, answered 500 without the details (or cut off mid-answer). */
export function failed(res: ServerResponse, e: unknown, log: Log): void {
  log.error({ err: e }, "request failed");
  if (!res.headersSent) json(res, 500, { error: "internal error" });
  else res.end();
}
