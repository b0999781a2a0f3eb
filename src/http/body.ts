import type { IncomingMessage } from "node:http";

export class BodyTooLarge extends Error {}

/**
 * Reads a request body, refusing (and not buffering) more than `limit` bytes, and calls `done`
 * once with the body or the error. Callbacks, not a promise: the verification API reads every
 * body this way, and a promise and its continuation cost it a measurable share of its
 * throughput. A body that arrives in one chunk (nearly all of them) is not copied.
 */
export function collectBody(
  req: IncomingMessage,
  limit: number,
  done: (error: Error | null, body: Buffer) => void,
): void {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) {
    req.resume();
    done(new BodyTooLarge(), EMPTY);
    return;
  }
  let first: Buffer | undefined;
  let rest: Buffer[] | undefined;
  let size = 0;
  // Set once `done` has been called: what comes after (more chunks, a late error) is ignored.
  let settled = false;
  req.on("data", (chunk: Buffer) => {
    if (settled) return;
    size += chunk.length;
    if (size > limit) {
      settled = true;
      req.resume();
      done(new BodyTooLarge(), EMPTY);
      return;
    }
    if (first === undefined) {
      first = chunk;
    } else {
      rest ??= [first];
      rest.push(chunk);
    }
  });
  req.on("end", () => {
    if (settled) return;
    settled = true;
    done(null, rest ? Buffer.concat(rest, size) : (first ?? EMPTY));
  });
  req.on("error", (e) => {
    if (settled) return;
    settled = true;
    done(e, EMPTY);
  });
}

const EMPTY = Buffer.alloc(0);

/** `collectBody` as a promise, for the routes where a promise costs nothing that matters. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    collectBody(req, limit, (error, body) => (error ? reject(error) : resolve(body))),
  );
}
