// The sandbox page's API: what one person sees (conversations, messages, modals, Home), and
// what they do (type, click, fill, submit), turned into the stand-in driver's calls — so the
// app receives exactly what Slack would send.
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { SHORTCUT_ID } from "../slack/blocks/ids.ts";
import type { SlackStandIn } from "./standin/index.ts";
import type { Json, StateValue } from "./standin/workspace.ts";

const MAX_BODY = 256 * 1024;

/** The app's shortcuts, as manifest.yml declares them: what the page offers. */
export const SHORTCUTS = [
  { type: "message", callbackId: SHORTCUT_ID.reportLeak, name: "Report leaked key" },
  { type: "global", callbackId: SHORTCUT_ID.requestAccess, name: "Request API access" },
] as const;
const shortcutOf = (type: "message" | "global") =>
  z
    .string()
    .refine((id) => SHORTCUTS.some((s) => s.type === type && s.callbackId === id), "shortcut");
type Entered = Record<string, Record<string, StateValue>>;

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new Error("body too large");
    chunks.push(c as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
  });
  res.end(JSON.stringify(body));
}

const user = z.string().regex(/^[UW][A-Z0-9]+$/);
/** What the person entered on a surface; the page holds it until an interaction sends it. */
const values = z
  .record(z.string().max(255), z.record(z.string().max(255), z.looseObject({ type: z.string() })))
  .optional();
const ref = {
  blockId: z.string().max(255),
  actionId: z.string().max(255),
  optionValue: z.string().max(200).optional(),
};
const schemas = {
  command: z.object({ user, channel: z.string().max(40), text: z.string().max(4000) }),
  say: z.object({
    user,
    channel: z.string().max(40),
    text: z.string().max(4000),
    threadTs: z.string().max(40).optional(),
  }),
  click: z.object({
    user,
    surface: z.union([
      z.object({ kind: z.literal("message"), channel: z.string(), ts: z.string() }),
      z.object({ kind: z.literal("view"), viewId: z.string() }),
    ]),
    ...ref,
    values,
  }),
  check: z.object({
    user,
    channel: z.string(),
    ts: z.string(),
    blockId: z.string(),
    actionId: z.string(),
    values: z.array(z.string()).max(100),
  }),
  suggest: z.object({
    user,
    viewId: z.string(),
    blockId: z.string(),
    actionId: z.string(),
    value: z.string().max(200),
    values,
  }),
  choose: z.object({
    user,
    viewId: z.string(),
    blockId: z.string(),
    actionId: z.string(),
    option: z.looseObject({ value: z.string() }),
    values,
  }),
  view: z.object({ user, viewId: z.string(), values }),
  home: z.object({ user }),
  read: z.object({ user, channel: z.string().max(40), ts: z.string().max(40) }),
  messageShortcut: z.object({
    user,
    channel: z.string().max(40),
    ts: z.string().max(40),
    callbackId: shortcutOf("message"),
  }),
  globalShortcut: z.object({ user, callbackId: shortcutOf("global") }),
};

/** A person's picture of the workspace. */
function snapshot(slack: SlackStandIn, userId: string) {
  const ws = slack.ws;
  const conversations = [...ws.conversations.values()]
    // Channels they are in, their DM with Keyward, and DMs between them and someone else.
    .filter((c) => c.members.has(userId) && (!c.isIm || !c.user || c.user === userId))
    .map((c) => ({
      id: c.id,
      name: !c.isIm
        ? c.name
        : c.user
          ? "Keyward"
          : ([...c.members]
              .filter((m) => m !== userId)
              .map((m) => ws.people.get(m)?.realName ?? m)[0] ?? c.name),
      isIm: c.isIm,
      unread: ws.unreadCount(userId, c.id),
      messages: ws
        .visibleTo(userId, c.id)
        .map((m) => ({ ...m, state: slack.driver.messageState(m) })),
    }));
  const stack = (ws.stacks.get(userId) ?? []).map((id) => ws.views.get(id)).filter(Boolean);
  const homeId = ws.homes.get(userId);
  return {
    me: userId,
    version: ws.version,
    people: [...ws.people.values()].filter((p) => !p.isBot),
    everyone: [...ws.people.values()].map((p) => ({
      id: p.id,
      name: p.name,
      realName: p.realName,
      isBot: Boolean(p.isBot),
    })),
    conversations,
    modals: stack,
    home: homeId ? ws.views.get(homeId) : null,
    shortcuts: SHORTCUTS,
  };
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Only the page itself may use the API: it shows open modals, one-time secrets included. A
 * loopback Host (a rebound DNS name is refused), no Origin but the page's own (no cross-site
 * requests), and JSON bodies (a form or text/plain POST needs no preflight).
 */
function refusal(req: IncomingMessage): { status: number; error: string } | undefined {
  const host = req.headers.host ?? "";
  if (!LOOPBACK.has(host.replace(/:\d+$/, "").toLowerCase()))
    return { status: 403, error: "the sandbox answers on 127.0.0.1 and localhost only" };
  const origin = req.headers.origin;
  if (origin !== undefined && origin.toLowerCase() !== `http://${host.toLowerCase()}`)
    return { status: 403, error: "cross-site requests are refused" };
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (req.method === "POST" && type !== "application/json")
    return { status: 415, error: "send JSON (content-type: application/json)" };
  return undefined;
}

/** Routes under /sandbox/api/; false when the path is not one of them. */
export function pageApi(slack: SlackStandIn) {
  const d = slack.driver;
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    if (!path.startsWith("/sandbox/api/")) return false;
    const refused = refusal(req);
    if (refused) {
      req.resume();
      send(res, refused.status, { error: refused.error });
      return true;
    }
    const what = path.slice("/sandbox/api/".length);
    try {
      if (what === "state" && req.method === "GET") {
        const u = user.safeParse(new URL(req.url ?? "", "http://x").searchParams.get("user"));
        if (!u.success) {
          send(res, 400, { error: "user" });
          return true;
        }

        send(res, 200, snapshot(slack, u.data));
        return true;
      }
      if (what === "events" && req.method === "GET") {
        res.writeHead(200, {
          "content-type": "text/event-stream",
          "cache-control": "no-store",
          connection: "keep-alive",
        });
        res.write(": hello\n\n");
        const onChange = (what: string, version: number) =>
          res.write(`data: ${JSON.stringify({ what, version })}\n\n`);
        slack.ws.on("change", onChange);
        const ping = setInterval(() => res.write(": ping\n\n"), 15_000);
        req.on("close", () => {
          slack.ws.off("change", onChange);
          clearInterval(ping);
        });
        return true;
      }
      if (req.method !== "POST") return false;
      const body = await readJson(req);
      let result: unknown;
      switch (what) {
        case "command": {
          const b = schemas.command.parse(body);
          const r = await d.command(b.user, b.channel, b.text);
          result = { status: r.status };
          break;
        }
        case "say": {
          const b = schemas.say.parse(body);
          await d.say(b.user, b.channel, b.text, b.threadTs);
          result = { ok: true };
          break;
        }
        case "click": {
          const b = schemas.click.parse(body);
          if (b.values && b.surface.kind === "message")
            d.fillMessage(b.surface.channel, b.surface.ts, b.values as Entered);
          else if (b.values && b.surface.kind === "view")
            d.fill(b.surface.viewId, b.values as Entered);
          result = { status: (await d.click(b.user, b.surface, b)).status };
          break;
        }
        case "check": {
          const b = schemas.check.parse(body);
          await d.check(b.user, b, b, b.values);
          result = { ok: true };
          break;
        }
        case "suggest": {
          const b = schemas.suggest.parse(body);
          if (b.values) d.fill(b.viewId, b.values as Entered);
          result = { options: await d.suggest(b.user, b.viewId, b.blockId, b.actionId, b.value) };
          break;
        }
        case "choose": {
          const b = schemas.choose.parse(body);
          if (b.values) d.fill(b.viewId, b.values as Entered);
          await d.choose(b.user, b.viewId, b.blockId, b.actionId, b.option as Json);
          result = { ok: true };
          break;
        }
        case "submit": {
          const b = schemas.view.parse(body);
          if (b.values) d.fill(b.viewId, b.values as Entered);
          const r = await d.submit(b.user, b.viewId);
          result = { status: r.status };
          break;
        }
        case "close": {
          const b = schemas.view.parse(body);
          if (b.values && slack.ws.views.has(b.viewId)) d.fill(b.viewId, b.values as Entered);
          await d.close(b.user, b.viewId);
          result = { ok: true };
          break;
        }
        case "home": {
          const b = schemas.home.parse(body);
          await d.openHome(b.user);
          result = { ok: true };
          break;
        }
        case "read": {
          const b = schemas.read.parse(body);
          slack.ws.markRead(b.user, b.channel, b.ts);
          result = { ok: true };
          break;
        }
        case "message-shortcut": {
          const b = schemas.messageShortcut.parse(body);
          const r = await d.messageShortcut(b.user, b, b.callbackId);
          result = { status: r.status };
          break;
        }
        case "global-shortcut": {
          const b = schemas.globalShortcut.parse(body);
          const r = await d.globalShortcut(b.user, b.callbackId);
          result = { status: r.status };
          break;
        }
        default:
          return false;
      }
      send(res, 200, result);
    } catch (e) {
      send(res, 400, { error: e instanceof Error ? e.message : String(e) });
    }
    return true;
  };
}
