// The Web API methods Keyward calls, as Slack answers them: required arguments checked
// against Slack's spec, views and messages checked against Block Kit limits, triggers
// single-use and valid for 3 seconds, `hash` checked on views.update. Every call is recorded.

import { assignBlockIds } from "./block-ids.ts";
import { ApiError } from "./errors.ts";
import { fileMethods, fileUrl, receiveUpload } from "./files.ts";
import { checkMessage, checkView } from "./limits.ts";
import { missingArguments } from "./spec.ts";
import { initialValues } from "./view-state.ts";
import { BOT, type Json, type Message, TEAM, type View, type Workspace } from "./workspace.ts";

export interface RecordedCall {
  method: string;
  args: Json;
  at: number;
  /** performance.now() on arrival, for latency measurements. */
  hr: number;
  ok: boolean;
  error?: string;
  /** The fault injected instead of a real answer, if any. */
  fault?: string;
  /** What Slack would say about a refusal (e.g. which Block Kit limit was passed). */
  detail?: unknown;
}

export type FaultKind =
  | "rate_limited"
  | "server_error"
  | "timeout"
  /** Slack acted on the call, but the answer never arrives (the ambiguous case). */
  | "applied_then_timeout"
  | "user_not_found"
  | "channel_not_found"
  | "expired_trigger_id"
  | "hash_conflict";

export interface FaultPlan {
  /** Probability in [0, 1] that a call gets a fault. */
  rate: number;
  kinds: FaultKind[];
  /** Only these methods (default: all but auth.test). */
  methods?: string[];
  retryAfterSeconds?: number;
  /** How long a "timeout" holds the answer. */
  timeoutMs?: number;
  /** Deterministic choice: a seeded generator. */
  seed?: number;
}

export interface ApiAnswer {
  status: number;
  body: Json;
  headers?: Record<string, string>;
  delayMs?: number;
}

const TRIGGER_TTL_MS = 3000;

/** A zone as users.info gives it: its name, its long name, and seconds east of UTC now. */
export function timeZoneOf(
  tz: string,
  at: Date,
): { tz: string; tz_label: string; tz_offset: number } {
  const part = (timeZoneName: "long" | "longOffset") =>
    new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName })
      .formatToParts(at)
      .find((p) => p.type === "timeZoneName")?.value ?? "";
  // "GMT-07:00", or "GMT" for UTC itself.
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(part("longOffset"));
  const offset = m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : 0;
  return { tz, tz_label: part("long"), tz_offset: offset };
}

function parseJson(v: unknown, name: string): Json | Json[] | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v === "object") return v as Json;
  try {
    return JSON.parse(String(v)) as Json;
  } catch {
    throw new ApiError("invalid_arguments", {
      response_metadata: { messages: [`${name} is not JSON`] },
    });
  }
}

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class WebApi {
  readonly calls: RecordedCall[] = [];
  /** Socket Mode: the app-level token and where to connect (apps.connections.open). */
  socketUrl: { token: string; url: () => string } | undefined;
  private faults: FaultPlan | undefined;
  private random: () => number = Math.random;
  private readonly fileHandlers: Record<string, (args: Json) => Json>;

  constructor(
    private readonly ws: Workspace,
    private readonly botToken: string,
    /** Where the stand-in listens: upload URLs and files' private URLs point there. */
    private readonly base: () => string = () => "http://127.0.0.1",
  ) {
    this.fileHandlers = fileMethods(ws, base);
  }

  private handler(method: string): ((args: Json) => Json) | undefined {
    return this.handlers[method] ?? this.fileHandlers[method];
  }

  setFaults(plan: FaultPlan | undefined): void {
    this.faults = plan;
    this.random = plan?.seed !== undefined ? mulberry32(plan.seed) : Math.random;
  }

  /** One Web API call; `auth` is the Authorization header (or the token argument). */
  call(method: string, args: Json, auth: string | undefined): ApiAnswer {
    const record: RecordedCall = { method, args, at: Date.now(), hr: performance.now(), ok: false };
    this.calls.push(record);
    const token = auth?.replace(/^Bearer\s+/i, "") ?? (args.token as string | undefined);
    if (method === "apps.connections.open") {
      // The one method that takes the app-level token, not the bot token.
      const ok = this.socketUrl !== undefined && token === this.socketUrl.token;
      record.ok = ok;
      if (!ok) record.error = "invalid_auth";
      return {
        status: 200,
        body: ok ? { ok: true, url: this.socketUrl?.url() } : { ok: false, error: "invalid_auth" },
      };
    }
    if (token !== this.botToken) {
      record.error = token ? "invalid_auth" : "not_authed";
      return { status: 200, body: { ok: false, error: record.error } };
    }
    const fault = this.pickFault(method);
    if (fault === "applied_then_timeout") {
      const applied = this.apply(method, args, record);
      record.fault = fault;
      return {
        ...applied,
        status: 200,
        body: { ok: false, error: "request_timeout" },
        delayMs: this.faults?.timeoutMs ?? 15_000,
      };
    }
    if (fault) {
      record.fault = fault;
      record.error = fault;
      return this.faultAnswer(fault);
    }
    return this.apply(method, args, record);
  }

  private apply(method: string, args: Json, record: RecordedCall): ApiAnswer {
    const missing = missingArguments(method, args);
    if (missing === null && !this.handler(method)) {
      record.error = "unknown_method";
      return { status: 200, body: { ok: false, error: "unknown_method" } };
    }
    if (missing && missing.length > 0) {
      record.error = "invalid_arguments";
      return {
        status: 200,
        body: {
          ok: false,
          error: "invalid_arguments",
          response_metadata: {
            messages: missing.map((m) => `[ERROR] missing required field: ${m}`),
          },
        },
      };
    }
    const handler = this.handler(method);
    if (!handler) {
      record.error = "unknown_method";
      return { status: 200, body: { ok: false, error: "unknown_method" } };
    }
    try {
      const result = handler(args);
      record.ok = true;
      return { status: 200, body: { ok: true, ...result } };
    } catch (e) {
      if (e instanceof ApiError) {
        record.error = e.error;
        record.detail = e.extra;
        return { status: 200, body: { ok: false, error: e.error, ...e.extra } };
      }
      throw e;
    }
  }

  /**
   * A POST to an upload URL from files.getUploadURLExternal. Recorded as the call `upload_url`,
   * and faults planned for `upload_url` apply to it.
   */
  async upload(
    token: string,
    contentType: string | undefined,
    body: Buffer,
  ): Promise<{ status: number; text: string; headers?: Record<string, string>; delayMs?: number }> {
    const record: RecordedCall = {
      method: "upload_url",
      args: { token, bytes: body.length },
      at: Date.now(),
      hr: performance.now(),
      ok: false,
    };
    this.calls.push(record);
    const fault = this.pickFault("upload_url");
    if (fault && fault !== "applied_then_timeout") {
      record.fault = fault;
      record.error = fault;
      const a = this.faultAnswer(fault);
      return { ...a, text: JSON.stringify(a.body) };
    }
    const answer = await receiveUpload(this.ws, token, contentType, body);
    record.ok = answer.status === 200;
    if (!record.ok) record.error = answer.text;
    if (fault) {
      record.fault = fault;
      return { status: 504, text: "timeout", delayMs: this.faults?.timeoutMs ?? 15_000 };
    }
    return answer;
  }

  /** A file's bytes at its url_private, for the bot token only (as Slack requires a token). */
  fileContent(path: string, auth: string | undefined): { status: number; body: Buffer | string } {
    if (auth?.replace(/^Bearer\s+/i, "") !== this.botToken)
      return { status: 403, body: "forbidden" };
    const id = /^\/files-pri\/[A-Z0-9]+-(F[0-9A-Z]+)\//.exec(path)?.[1];
    const file = id ? this.ws.files.get(id) : undefined;
    if (!file?.bytes || file.state !== "shared") return { status: 404, body: "not found" };
    return { status: 200, body: file.bytes };
  }

  private pickFault(method: string): FaultKind | undefined {
    const f = this.faults;
    if (!f || f.rate <= 0 || method === "auth.test") return undefined;
    if (f.methods && !f.methods.includes(method)) return undefined;
    if (this.random() >= f.rate) return undefined;
    const applicable = f.kinds.filter((k) => {
      if (k === "expired_trigger_id") return method === "views.open" || method === "views.push";
      if (k === "hash_conflict") return method === "views.update" || method === "views.publish";
      if (k === "channel_not_found")
        return method.startsWith("chat.") || method.startsWith("conversations.");
      if (k === "user_not_found")
        return (
          method === "users.info" ||
          method === "conversations.open" ||
          method === "chat.postMessage"
        );
      return true;
    });
    return applicable[Math.floor(this.random() * applicable.length)];
  }

  private faultAnswer(kind: FaultKind): ApiAnswer {
    const f = this.faults as FaultPlan;
    switch (kind) {
      case "rate_limited":
        return {
          status: 429,
          body: { ok: false, error: "ratelimited" },
          headers: { "retry-after": String(f.retryAfterSeconds ?? 1) },
        };
      case "server_error":
        return { status: 500, body: { ok: false, error: "internal_error" } };
      case "timeout":
        return {
          status: 200,
          body: { ok: false, error: "request_timeout" },
          delayMs: f.timeoutMs ?? 15_000,
        };
      default:
        return { status: 200, body: { ok: false, error: kind } };
    }
  }

  private checkedMessage(args: Json): { text: string; blocks?: Json[] } {
    const blocks = parseJson(args.blocks, "blocks") as Json[] | undefined;
    const text = typeof args.text === "string" ? args.text : "";
    const problems = checkMessage({ text: args.text, blocks });
    if (problems.length) {
      throw new ApiError(
        blocks && !args.text && problems[0]?.startsWith("a message") ? "no_text" : "invalid_blocks",
        {
          errors: problems,
        },
      );
    }
    return { text, blocks };
  }

  private checkedView(args: Json): Json {
    const view = parseJson(args.view, "view") as Json | undefined;
    if (!view)
      throw new ApiError("invalid_arguments", {
        response_metadata: { messages: ["view is required"] },
      });
    const problems = checkView(view);
    if (problems.length) {
      throw new ApiError("invalid_arguments", { response_metadata: { messages: problems } });
    }
    return view;
  }

  private useTrigger(id: unknown) {
    const t = this.ws.triggers.get(String(id));
    if (!t) throw new ApiError("invalid_trigger_id");
    if (t.used) throw new ApiError("exchanged_trigger_id");
    if (Date.now() - t.issuedAt > TRIGGER_TTL_MS) throw new ApiError("expired_trigger_id");
    t.used = true;
    return t;
  }

  private newView(user: string, kind: "modal" | "home", view: Json, previous: View | null): View {
    assignBlockIds(view.blocks);
    const id = this.ws.nextId("V");
    const hash = this.ws.nextId("h");
    const v: View = {
      id,
      hash,
      inputsFrom: hash,
      user,
      kind,
      view,
      values: initialValues(view),
      rootViewId: previous?.rootViewId ?? id,
      previousViewId: previous?.id ?? null,
      errors: {},
    };
    this.ws.views.set(id, v);
    return v;
  }

  /** A view as Slack returns it from views.* and sends it in interaction payloads. */
  viewPayload(v: View): Json {
    return {
      ...v.view,
      id: v.id,
      team_id: TEAM.id,
      hash: v.hash,
      root_view_id: v.rootViewId,
      previous_view_id: v.previousViewId,
      app_id: "A0KEYWARD",
      bot_id: BOT.botId,
      state: { values: v.values },
      private_metadata: v.view.private_metadata ?? "",
      callback_id: v.view.callback_id ?? "",
    };
  }

  /**
   * Replaces a view's content (views.update, response_action: update). views.update keeps
   * what the person entered in inputs whose block_id and action_id stay the same, as Slack does.
   */
  replaceView(v: View, view: Json, preserveInput = false): void {
    const before = v.values;
    assignBlockIds(view.blocks);
    v.view = view;
    v.hash = this.ws.nextId("h");
    v.values = initialValues(view);
    if (!preserveInput) {
      v.inputsFrom = v.hash;
    } else {
      for (const [blockId, actions] of Object.entries(v.values)) {
        for (const actionId of Object.keys(actions)) {
          const kept = before[blockId]?.[actionId];
          if (kept) actions[actionId] = kept;
        }
      }
    }
    v.errors = {};
    this.ws.changed("views");
  }

  pushView(user: string, view: Json): View {
    const stack = this.ws.stacks.get(user) ?? [];
    if (stack.length >= 3) throw new ApiError("push_limit_reached");
    const top = this.ws.topModal(user) ?? null;
    const v = this.newView(user, "modal", view, top);
    stack.push(v.id);
    this.ws.stacks.set(user, stack);
    this.ws.changed("views");
    return v;
  }

  private messageOut(m: Message): Json {
    return {
      type: "message",
      user: m.user,
      bot_id: m.user === BOT.userId ? BOT.botId : undefined,
      text: m.text,
      blocks: m.blocks,
      files: m.files?.map((f) => ({ ...f, url_private: fileUrl(this.base(), f) })),
      ts: m.ts,
      thread_ts: m.threadTs,
      metadata: m.metadata,
    };
  }

  private readonly handlers: Record<string, (args: Json) => Json> = {
    "auth.test": () => ({
      url: `https://${TEAM.domain}.slack.com/`,
      team: "Keyward sandbox",
      user: BOT.name,
      team_id: TEAM.id,
      user_id: BOT.userId,
      bot_id: BOT.botId,
    }),

    "chat.postMessage": (args) => {
      const c = this.ws.resolveChannel(String(args.channel));
      if (!c) throw new ApiError("channel_not_found");
      const { text, blocks } = this.checkedMessage(args);
      const threadTs = args.thread_ts ? String(args.thread_ts) : undefined;
      if (threadTs && !this.ws.findMessage(c.id, threadTs)) throw new ApiError("thread_not_found");
      const metadata = parseJson(args.metadata, "metadata") as Json | undefined;
      const m = this.ws.post({ channel: c.id, user: BOT.userId, text, blocks, threadTs, metadata });
      return { channel: c.id, ts: m.ts, message: this.messageOut(m) };
    },

    "chat.update": (args) => {
      const m = this.ws.findMessage(String(args.channel), String(args.ts));
      if (!m) throw new ApiError("message_not_found");
      if (m.user !== BOT.userId) throw new ApiError("cant_update_message");
      const { text, blocks } = this.checkedMessage(args);
      assignBlockIds(blocks);
      m.text = text;
      m.blocks = blocks;
      m.state = undefined;
      m.editedAt = Date.now();
      this.ws.changed("messages");
      return { channel: m.channel, ts: m.ts, text };
    },

    "chat.postEphemeral": (args) => {
      const c = this.ws.resolveChannel(String(args.channel));
      if (!c) throw new ApiError("channel_not_found");
      const user = String(args.user);
      if (!this.ws.people.get(user)) throw new ApiError("user_not_found");
      if (!c.members.has(user)) throw new ApiError("user_not_in_channel");
      const { text, blocks } = this.checkedMessage(args);
      const m = this.ws.post({ channel: c.id, user: BOT.userId, text, blocks, ephemeralFor: user });
      return { message_ts: m.ts };
    },

    "chat.getPermalink": (args) => {
      const c = this.ws.conversations.get(String(args.channel));
      // A DM the bot is not in is one it cannot see.
      if (!c || (c.isIm && !c.members.has(BOT.userId))) throw new ApiError("channel_not_found");
      if (!this.ws.findMessage(c.id, String(args.message_ts)))
        throw new ApiError("message_not_found");
      return {
        channel: c.id,
        permalink: `https://${TEAM.domain}.slack.com/archives/${c.id}/p${String(args.message_ts).replace(".", "")}`,
      };
    },

    "views.open": (args) => {
      const view = this.checkedView(args);
      const t = this.useTrigger(args.trigger_id);
      // A new modal replaces whatever stack the person had open.
      const v = this.newView(t.user, "modal", view, null);
      const replaced = this.ws.stacks.get(t.user) ?? [];
      this.ws.stacks.set(t.user, [v.id]);
      for (const id of replaced) this.ws.dropView(id);
      this.ws.changed("views");
      return { view: this.viewPayload(v) };
    },

    "views.push": (args) => {
      const view = this.checkedView(args);
      const t = this.useTrigger(args.trigger_id);
      if (!this.ws.stacks.get(t.user)?.length) throw new ApiError("not_found");
      return { view: this.viewPayload(this.pushView(t.user, view)) };
    },

    "views.update": (args) => {
      const view = this.checkedView(args);
      const id = args.view_id ? String(args.view_id) : undefined;
      const v = id
        ? this.ws.views.get(id)
        : [...this.ws.views.values()].find((x) => x.view.external_id === args.external_id);
      if (!v) throw new ApiError("not_found");
      if (args.hash !== undefined && args.hash !== "" && args.hash !== v.hash)
        throw new ApiError("hash_conflict");
      this.replaceView(v, view, true);
      return { view: this.viewPayload(v) };
    },

    "views.publish": (args) => {
      const view = this.checkedView(args);
      if (view.type !== "home") throw new ApiError("invalid_arguments");
      const user = String(args.user_id);
      if (!this.ws.people.get(user)) throw new ApiError("user_not_found");
      const existing = this.ws.homes.get(user);
      const v = existing ? this.ws.views.get(existing) : undefined;
      if (v) {
        if (args.hash !== undefined && args.hash !== "" && args.hash !== v.hash)
          throw new ApiError("hash_conflict");
        this.replaceView(v, view);
        return { view: this.viewPayload(v) };
      }
      const nv = this.newView(user, "home", view, null);
      this.ws.homes.set(user, nv.id);
      this.ws.changed("views");
      return { view: this.viewPayload(nv) };
    },

    "conversations.open": (args) => {
      const users = String(args.users ?? "")
        .split(",")
        .filter(Boolean);
      if (users.length !== 1) throw new ApiError("not_enough_users");
      const c = this.ws.imWith(users[0] as string);
      if (!c) throw new ApiError("user_not_found");
      return { channel: { id: c.id } };
    },

    "conversations.history": (args) => {
      const c = this.ws.conversations.get(String(args.channel));
      if (!c) throw new ApiError("channel_not_found");
      const oldest = Number(args.oldest ?? 0);
      const limit = Math.min(Number(args.limit ?? 100), 1000);
      const includeMetadata = String(args.include_all_metadata) === "true";
      // Newest first, a page at a time; the cursor is where the next page starts.
      const from = Number(args.cursor ?? 0) || 0;
      const all = this.ws
        .channelMessages(c.id)
        .filter((m) => !m.threadTs && Number(m.ts) >= oldest)
        .reverse();
      const msgs = all.slice(from, from + limit).map((m) => {
        const out = this.messageOut(m);
        if (!includeMetadata) delete out.metadata;
        return out;
      });
      const more = from + limit < all.length;
      return {
        messages: msgs,
        has_more: more,
        response_metadata: { next_cursor: more ? String(from + limit) : "" },
      };
    },

    "conversations.replies": (args) => {
      const c = this.ws.conversations.get(String(args.channel));
      if (!c) throw new ApiError("channel_not_found");
      const ts = String(args.ts);
      const parent = this.ws.findMessage(c.id, ts);
      if (!parent) throw new ApiError("thread_not_found");
      const includeMetadata = String(args.include_all_metadata) === "true";
      const msgs = [parent, ...this.ws.channelMessages(c.id).filter((m) => m.threadTs === ts)].map(
        (m) => {
          const out = this.messageOut(m);
          if (!includeMetadata) delete out.metadata;
          return out;
        },
      );
      return { messages: msgs, has_more: false };
    },

    "users.info": (args) => {
      const p = this.ws.people.get(String(args.user));
      if (!p) throw new ApiError("user_not_found");
      return {
        user: {
          id: p.id,
          team_id: TEAM.id,
          name: p.name,
          real_name: p.realName,
          deleted: Boolean(p.deleted),
          is_bot: Boolean(p.isBot),
          profile: { real_name: p.realName, display_name: p.name },
          ...timeZoneOf(p.tz ?? "UTC", new Date()),
        },
      };
    },

    "users.list": () => ({
      members: [...this.ws.people.values()].map((p) => ({
        id: p.id,
        name: p.name,
        real_name: p.realName,
        deleted: Boolean(p.deleted),
        is_bot: Boolean(p.isBot),
      })),
    }),

    "usergroups.users.list": (args) => {
      const users = this.ws.usergroups.get(String(args.usergroup));
      if (!users) throw new ApiError("no_such_subteam");
      return { users };
    },
  };
}
