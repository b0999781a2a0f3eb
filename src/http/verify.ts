// POST /v1/verify: may this key make this call? The contract: docs/design.md#the-verification-api.
//
// Every call a service serves waits on this answer, so the path from the body's last byte to
// the answer is synchronous when the key is in memory: callbacks rather than promises (each
// promise and its continuation showed in the throughput), a constant-time token compare
// without hashing, and nothing written before answering (uses are recorded behind).
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { API_IDS } from "../domain/catalog.ts";
import type { Clock } from "../domain/clock.ts";
import {
  type VerifyLookup,
  type VerifyQuery,
  type VerifyResult,
  verify,
} from "../domain/keys/verify.ts";
import type { Grant } from "../domain/types.ts";
import type { Log } from "../log.ts";
import { bearerCheck } from "./bearer.ts";
import { BodyTooLarge, collectBody } from "./body.ts";
import { failed, json } from "./respond.ts";
import { type Handler, LATER } from "./server.ts";

const VERIFY_BODY_LIMIT = 4096;

const bodySchema = z
  .object({
    key: z.string({ error: "key must be a string" }).max(200, "key is too long"),
    nickname: z.string().max(64, "nickname is too long").optional(),
    api: z.enum(API_IDS, { error: `api must be one of: ${API_IDS.join(", ")}` }).optional(),
  })
  .refine((b) => (b.nickname === undefined) === (b.api === undefined), {
    message: "send both nickname and api, or neither (to list the key's grants)",
  });

export interface VerifyDeps {
  token: string | undefined;
  lookup: VerifyLookup;
  clock: Clock;
  /** Where a failure while answering is told (the answer itself is a bare 500). */
  log: Log;
  /**
   * After answering, for a valid key: when it was used, the check it was asked (none: its
   * grants were listed) and the grant that allowed it (null: refused, or no check).
   */
  onUse(keyId: number, at: Date, check: VerifyQuery["check"], grant: Grant | null): void;
}

export function verifyHandler(deps: VerifyDeps) {
  const authorized = bearerCheck(deps.token);

  /**
   * Answers one parsed body: at once from memory, or (the promise) later, when the lookup asks
   * its database.
   */
  const answer = (res: ServerResponse, raw: Buffer): Promise<void> | undefined => {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      json(res, 400, { error: 'body must be JSON: {"key", "nickname", "api"}' });
      return;
    }
    const parsed = bodySchema.safeParse(body);
    if (!parsed.success) {
      json(res, 400, { error: parsed.error.issues[0]?.message ?? "bad request" });
      return;
    }
    const { key, nickname, api } = parsed.data;
    const now = deps.clock.now();
    const check = nickname !== undefined && api !== undefined ? { nickname, api } : undefined;
    const finish = ({ answer, usedKeyId, grant }: VerifyResult) => {
      json(res, 200, answer);
      if (usedKeyId !== null) deps.onUse(usedKeyId, now, check, grant);
    };
    const result = verify(deps.lookup, now, { key, check });
    if (result instanceof Promise) return result.then(finish);
    finish(result);
  };

  const handler: Handler = (req: IncomingMessage, res: ServerResponse, release: () => void) => {
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return json(res, 405, { error: "use POST" });
    }
    if (!deps.token) {
      return json(res, 503, { error: "the verification API is off: set VERIFY_API_TOKEN" });
    }
    if (!authorized(req.headers.authorization)) {
      res.setHeader("www-authenticate", "Bearer");
      return json(res, 401, { error: "missing or wrong bearer token" });
    }
    // The answer is written from the body's callback, after this returns: LATER keeps the
    // request in flight until it is released, which waits for a lookup that asks the database
    // even when the client has gone meanwhile, so a shutdown does not lose the use it records.
    collectBody(req, VERIFY_BODY_LIMIT, (error, raw) => {
      let pending: Promise<void> | undefined;
      try {
        if (error instanceof BodyTooLarge) {
          json(res, 413, { error: `body over ${VERIFY_BODY_LIMIT} bytes` });
        } else if (error) {
          // The client went away mid-body (or its connection broke): nobody to answer, and
          // nothing wrong with this server.
          deps.log.debug({ err: error }, "verify request body not read in full");
          res.destroy();
        } else {
          pending = answer(res, raw);
        }
      } catch (e) {
        failed(res, e, deps.log);
      }
      if (pending) pending.catch((e) => failed(res, e, deps.log)).finally(release);
      else release();
    });
    return LATER;
  };
  return handler;
}
