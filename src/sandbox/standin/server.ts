// The stand-in's HTTP face: the Web API at /api/<method> and response URLs at /response/<id>.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { assignBlockIds } from "./block-ids.ts";
import { checkMessage } from "./limits.ts";
import type { WebApi } from "./web-api.ts";
import { BOT, type Json, type Workspace } from "./workspace.ts";

export type ExtraRoute = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
) => boolean | Promise<boolean>;

/** What the app sent to response URLs, for scanning (they are outgoing payloads too). */
export interface ResponsePost {
  token: string;
  body: Json;
  at: number;
}

async function readBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const readText = async (req: IncomingMessage, limit = 5_000_000) =>
  (await readBytes(req, limit)).toString("utf8");

/** What the stand-in takes at an upload URL (Slack's own limit is far larger). */
const UPLOAD_LIMIT = 50_000_000;

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(text);
}

function parseArgs(url: URL, contentType: string | undefined, raw: string): Json {
  const args: Json = Object.fromEntries(url.searchParams);
  if (!raw) return args;
  if (contentType?.includes("application/json")) {
    return { ...args, ...(JSON.parse(raw) as Json) };
  }
  for (const [k, v] of new URLSearchParams(raw)) args[k] = v;
  return args;
}

export function createStandInServer(
  ws: Workspace,
  api: WebApi,
  responsePosts: ResponsePost[],
  extra: ExtraRoute[] = [],
): Server {
  return createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      const path = url.pathname;
      if (path.startsWith("/api/")) {
        const method = path.slice(5);
        const raw = req.method === "POST" ? await readText(req) : "";
        let args: Json;
        try {
          args = parseArgs(url, req.headers["content-type"], raw);
        } catch {
          return send(res, 200, { ok: false, error: "invalid_json" });
        }
        const answer = api.call(method, args, req.headers.authorization);
        if (answer.delayMs) {
          const timer = setTimeout(
            () => send(res, answer.status, answer.body, answer.headers),
            answer.delayMs,
          );
          res.on("close", () => clearTimeout(timer));
          return;
        }
        return send(res, answer.status, answer.body, answer.headers);
      }
      if (path.startsWith("/upload/v1/")) {
        if (req.method !== "POST") return send(res, 405, { ok: false, error: "use POST" });
        const bytes = await readBytes(req, UPLOAD_LIMIT);
        const answer = await api.upload(
          path.slice("/upload/v1/".length),
          req.headers["content-type"],
          bytes,
        );
        const out = () => {
          res.writeHead(answer.status, { "content-type": "text/plain", ...answer.headers });
          res.end(answer.text);
        };
        if (answer.delayMs) {
          const timer = setTimeout(out, answer.delayMs);
          res.on("close", () => clearTimeout(timer));
        } else out();
        return;
      }
      if (path.startsWith("/files-pri/") && req.method === "GET") {
        const file = api.fileContent(path, req.headers.authorization);
        res.writeHead(file.status, { "content-type": "application/octet-stream" });
        res.end(file.body);
        return;
      }
      if (path.startsWith("/response/") && req.method === "POST") {
        const token = path.slice("/response/".length);
        const body = JSON.parse(await readText(req)) as Json;
        responsePosts.push({ token, body, at: Date.now() });
        return applyResponse(ws, token, body, res);
      }
      for (const route of extra) {
        if (await route(req, res, path)) return;
      }
      send(res, 404, { ok: false, error: "not_found" });
    } catch (e) {
      if (!res.headersSent) send(res, 500, { ok: false, error: String(e) });
    }
  });
}

/** A post to a response URL: a new ephemeral reply, or a replacement/deletion of the original. */
function applyResponse(ws: Workspace, token: string, body: Json, res: ServerResponse): void {
  const r = ws.responseUrls.get(token);
  if (!r || r.uses >= 5) {
    send(res, 404, { ok: false, error: r ? "used_url" : "expired_url" });
    return;
  }
  r.uses += 1;
  const problems = body.delete_original
    ? []
    : checkMessage(body as { text?: unknown; blocks?: unknown });
  if (problems.length) {
    send(res, 400, { ok: false, error: "invalid_blocks", errors: problems });
    return;
  }
  const original = r.messageTs ? ws.findMessage(r.channel, r.messageTs) : undefined;
  if (body.delete_original && original) {
    original.deleted = true;
  } else if (body.replace_original && original) {
    assignBlockIds(body.blocks);
    original.text = String(body.text ?? "");
    original.blocks = body.blocks as Json[] | undefined;
    original.editedAt = Date.now();
  } else {
    const m = ws.post({
      channel: r.channel,
      user: BOT.userId,
      text: String(body.text ?? ""),
      blocks: body.blocks as Json[] | undefined,
      ephemeralFor: body.response_type === "in_channel" ? undefined : r.user,
    });
    r.messageTs = m.ts;
  }
  ws.changed("messages");
  send(res, 200, { ok: true });
}
