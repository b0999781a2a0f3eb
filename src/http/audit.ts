// GET /v1/audit: the audit log for a SIEM, as JSON lines (one event per line, oldest first)
// after a cursor (`?after=<event id>`, `limit` events at most). The `Link` header (rel="next")
// and `X-Next-After` give the cursor of the next poll, known before the body: the last id this
// answer covers. Ids grow in commit order in both stores, so polling from that cursor never
// skips an event that commits later. Rows are read in small pages, each its own short
// transaction, written as the client takes them, paced with pauses for other work between
// pages: a large answer neither fills memory nor holds up the verification API.
import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { AuditEvent } from "../domain/types.ts";
import type { StoreTx, StoreUnitOfWork } from "../store/types.ts";
import { bearerCheck } from "./bearer.ts";
import { json } from "./respond.ts";

const AUDIT_API_DEFAULT_LIMIT = 1000;
export const AUDIT_API_MAX_LIMIT = 10_000;
/** Events per read. */
export const AUDIT_API_PAGE = 200;
/**
 * At most one page per this many ms in one answer (10,000 events a second): a SIEM catching up
 * on a year of history still does so in minutes, and verification keeps most of the process.
 */
const AUDIT_API_PAGE_INTERVAL_MS = 20;

const querySchema = z
  .object({
    after: z
      .string()
      .regex(/^\d{1,15}$/, "after must be an event id (a whole number; 0 for the beginning)")
      .transform(Number)
      .default(0),
    limit: z
      .string()
      .regex(/^\d{1,6}$/, `limit must be a whole number from 1 to ${AUDIT_API_MAX_LIMIT}`)
      .transform(Number)
      .refine((n) => n >= 1 && n <= AUDIT_API_MAX_LIMIT, {
        message: `limit must be a whole number from 1 to ${AUDIT_API_MAX_LIMIT}`,
      })
      .default(AUDIT_API_DEFAULT_LIMIT),
  })
  .strict();

export interface AuditApiDeps {
  token: string | undefined;
  uow: StoreUnitOfWork<StoreTx>;
}

/** One line: the event as a SIEM reads it (the key by its name and public id). */
function auditLine(e: AuditEvent): string {
  return `${JSON.stringify({
    id: e.id,
    at: e.at.toISOString(),
    actor: e.actor,
    action: e.action,
    keyName: e.keyName,
    keyPublicId: e.keyPublicId,
    requestId: e.requestId,
    subject: e.subject,
    reason: e.reason,
    diff: e.diff,
  })}\n`;
}

/** Until the client has taken what was written, or has gone. */
async function drained(res: ServerResponse): Promise<void> {
  // Gone already: its "close" was emitted before anyone listened.
  if (res.destroyed) return;
  const stop = new AbortController();
  await Promise.race([
    once(res, "drain", { signal: stop.signal }),
    once(res, "close", { signal: stop.signal }),
  ]).finally(() => stop.abort());
}

export function auditHandler(deps: AuditApiDeps) {
  const authorized = bearerCheck(deps.token);
  const read = <T>(work: (tx: StoreTx) => Promise<T>) => deps.uow.run(work, { quiet: true });

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "GET") {
      res.setHeader("allow", "GET");
      return json(res, 405, { error: "use GET" });
    }
    if (!deps.token) {
      return json(res, 503, { error: "the audit API is off: set AUDIT_API_TOKEN" });
    }
    if (!authorized(req.headers.authorization)) {
      res.setHeader("www-authenticate", "Bearer");
      return json(res, 401, { error: "missing or wrong bearer token" });
    }
    const params = Object.fromEntries(new URL(req.url ?? "/", "http://x").searchParams);
    const parsed = querySchema.safeParse(params);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const message =
        issue?.code === "unrecognized_keys"
          ? `unknown parameter: ${issue.keys.join(", ")} (use after and limit)`
          : (issue?.message ?? "bad request");
      return json(res, 400, { error: message });
    }
    const { after, limit } = parsed.data;
    // The last id this answer covers: the next poll's cursor.
    const through = (await read((tx) => tx.audit.nthIdAfter(after, limit))) ?? after;
    res.writeHead(200, {
      "content-type": "application/x-ndjson; charset=utf-8",
      "cache-control": "no-store",
      link: `</v1/audit?after=${through}&limit=${limit}>; rel="next"`,
      "x-next-after": String(through),
    });
    let cursor = after;
    try {
      while (cursor < through && !res.destroyed) {
        const started = Date.now();
        const page = await read((tx) =>
          tx.audit.after({ afterId: cursor, throughId: through, limit: AUDIT_API_PAGE }),
        );
        const last = page[page.length - 1];
        if (!last) break;
        // One write per page; wait while the client has not taken what was written.
        if (!res.write(page.map(auditLine).join(""))) await drained(res);
        cursor = last.id;
        const rest = AUDIT_API_PAGE_INTERVAL_MS - (Date.now() - started);
        await new Promise((r) => (rest > 0 ? setTimeout(r, rest) : setImmediate(r)));
      }
    } catch (e) {
      // Break the connection rather than end the body: a client must not take a cut-off
      // answer for a whole one and move its cursor past what it never got.
      res.destroy();
      throw e;
    }
    res.end();
  };
}
