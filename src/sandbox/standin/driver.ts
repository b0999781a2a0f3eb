// The stand-in acting as Slack towards the app: slash commands, clicks, modal submissions and
// events, built the way Slack builds them and signed the way Slack signs them, then the
// app's answers applied to the workspace (ephemeral replies, response_action, …).

import { sign } from "./signing.ts";
import type { SocketModeLine } from "./socket-mode.ts";
import { optionsOf } from "./view-state.ts";
import type { WebApi } from "./web-api.ts";
import {
  APP_ID,
  type Json,
  type Message,
  type StateValue,
  TEAM,
  type View,
  type Workspace,
} from "./workspace.ts";

export interface Delivery {
  status: number;
  text: string;
  json: Json | undefined;
  /** Milliseconds from sending to the complete answer. */
  ms: number;
}

export interface SentRequest {
  body: string;
  contentType: string;
  timestamp: number;
  signature: string;
}

export type Surface =
  | { kind: "message"; channel: string; ts: string }
  | { kind: "view"; viewId: string };

export interface ActionRef {
  blockId: string;
  actionId: string;
  /** For overflow, selects, radio: the chosen option's value. */
  optionValue?: string;
}

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export class Driver {
  /** Every request sent to the app and what it answered, for scanning and replay tests. */
  readonly sent: Array<SentRequest & { kind: string; answer?: Delivery }> = [];
  private events = 0;

  constructor(
    private readonly ws: Workspace,
    private readonly api: WebApi,
    readonly opts: {
      appUrl: () => string;
      signingSecret: string;
      selfUrl: () => string;
      socket?: () => SocketModeLine | undefined;
    },
  ) {}

  /** Sends a request to the app: over Socket Mode when the app is connected that way. */
  async deliver(kind: string, body: string, contentType: string): Promise<Delivery> {
    const line = this.opts.socket?.();
    if (line?.connected) return this.overSocket(line, kind, body, contentType);
    return this.overHttp(kind, body, contentType);
  }

  private async overSocket(
    line: SocketModeLine,
    kind: string,
    body: string,
    contentType: string,
  ): Promise<Delivery> {
    const payload: Json =
      contentType === "application/json"
        ? (JSON.parse(body) as Json)
        : kind === "command"
          ? Object.fromEntries(new URLSearchParams(body))
          : (JSON.parse(new URLSearchParams(body).get("payload") ?? "{}") as Json);
    const type =
      kind === "command" ? "slash_commands" : kind === "event" ? "events_api" : "interactive";
    const started = performance.now();
    const req: SentRequest & { kind: string; answer?: Delivery } = {
      kind,
      body,
      contentType,
      timestamp: 0,
      signature: "",
    };
    this.sent.push(req);
    const answer = await line.send(type, payload);
    const empty = answer === undefined || Object.keys(answer).length === 0;
    req.answer = {
      status: 200,
      text: empty ? "" : JSON.stringify(answer),
      json: empty ? undefined : answer,
      ms: performance.now() - started,
    };
    return req.answer;
  }

  /** Sends a body to the app's /slack/events, signed now. */
  private async overHttp(kind: string, body: string, contentType: string): Promise<Delivery> {
    const timestamp = Math.floor(Date.now() / 1000);
    const req: SentRequest & { kind: string; answer?: Delivery } = {
      kind,
      body,
      contentType,
      timestamp,
      signature: sign(this.opts.signingSecret, timestamp, body),
    };
    this.sent.push(req);
    req.answer = await this.resend(req);
    return req.answer;
  }

  /** Sends a request exactly as it was sent before (a replay). */
  async resend(req: SentRequest): Promise<Delivery> {
    const started = performance.now();
    const res = await fetch(this.opts.appUrl(), {
      method: "POST",
      headers: {
        "content-type": req.contentType,
        "x-slack-request-timestamp": String(req.timestamp),
        "x-slack-signature": req.signature,
      },
      body: req.body,
    });
    const text = await res.text();
    let json: Json | undefined;
    try {
      json = text ? (JSON.parse(text) as Json) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json, ms: performance.now() - started };
  }

  private form(fields: Record<string, string>): string {
    return new URLSearchParams(fields).toString();
  }

  private async interaction(kind: string, payload: Json): Promise<Delivery> {
    return this.deliver(
      kind,
      this.form({ payload: JSON.stringify(payload) }),
      "application/x-www-form-urlencoded",
    );
  }

  private userOf(userId: string): Json {
    const p = this.ws.people.get(userId);
    return { id: userId, username: p?.name ?? userId, name: p?.name ?? userId, team_id: TEAM.id };
  }

  /** Text as Slack sends it with should_escape: mentions become <@U…|name>. */
  escapeCommandText(text: string): string {
    return text.replace(/@([a-z0-9._-]+)/gi, (whole, name: string) => {
      const p = [...this.ws.people.values()].find((x) => x.name === name.toLowerCase());
      return p ? `<@${p.id}|${p.name}>` : whole;
    });
  }

  async command(userId: string, channel: string, text: string, command = "/apikeys") {
    const trigger = this.ws.issueTrigger(userId);
    const responseUrl = this.ws.issueResponseUrl(this.opts.selfUrl(), userId, channel);
    const c = this.ws.conversations.get(channel);
    const answer = await this.deliver(
      "command",
      this.form({
        token: "sandbox-verification-token",
        team_id: TEAM.id,
        team_domain: TEAM.domain,
        channel_id: channel,
        channel_name: c?.isIm ? "directmessage" : (c?.name ?? "unknown"),
        user_id: userId,
        user_name: this.ws.people.get(userId)?.name ?? userId,
        command,
        text: this.escapeCommandText(text),
        api_app_id: APP_ID,
        is_enterprise_install: "false",
        response_url: responseUrl,
        trigger_id: trigger,
      }),
      "application/x-www-form-urlencoded",
    );
    let message: Message | undefined;
    // A non-empty acknowledgement is shown to the person as an ephemeral reply.
    if (answer.status === 200 && answer.text) {
      const body = answer.json ?? { text: answer.text };
      message = this.ws.post({
        channel,
        user: "U0KEYWARD",
        text: String(body.text ?? ""),
        blocks: body.blocks as Json[] | undefined,
        ephemeralFor: body.response_type === "in_channel" ? undefined : userId,
      });
      const r = this.ws.responseUrls.get(responseUrl.split("/").pop() as string);
      if (r) r.messageTs = message.ts;
    }
    return { ...answer, trigger, responseUrl, message };
  }

  private findElement(blocks: unknown, ref: ActionRef): Json | undefined {
    for (const b of Array.isArray(blocks) ? blocks : []) {
      if (!isObj(b) || b.block_id !== ref.blockId) continue;
      const els =
        b.type === "actions"
          ? b.elements
          : b.type === "section"
            ? [b.accessory]
            : b.type === "input"
              ? [b.element]
              : [];
      for (const el of Array.isArray(els) ? els : []) {
        if (isObj(el) && el.action_id === ref.actionId) return el;
      }
    }
    return undefined;
  }

  private actionPayload(el: Json, ref: ActionRef): Json {
    const base: Json = {
      action_id: ref.actionId,
      block_id: ref.blockId,
      type: el.type,
      action_ts: String(Date.now() / 1000),
    };
    if (el.type === "button") return { ...base, text: el.text, value: el.value, style: el.style };
    const option = optionsOf(el).find((o) => o.value === ref.optionValue);
    if (!option) throw new Error(`no option ${ref.optionValue} in ${ref.actionId}`);
    return { ...base, selected_option: option };
  }

  /** The state of a message's interactive inputs: as set, or as the blocks start them. */
  messageState(m: Message): Record<string, Record<string, StateValue>> {
    if (m.state) return m.state;
    const state: Record<string, Record<string, StateValue>> = {};
    for (const b of Array.isArray(m.blocks) ? m.blocks : []) {
      if (!isObj(b) || b.type !== "actions" || !Array.isArray(b.elements)) continue;
      for (const el of b.elements) {
        if (isObj(el) && el.type === "checkboxes") {
          state[String(b.block_id)] = {
            [String(el.action_id)]: {
              type: "checkboxes",
              selected_options: (el.initial_options as Json[] | undefined) ?? [],
            },
          };
        }
      }
    }
    return state;
  }

  /** Checks exactly these options (by value) of a checkbox group in a message. */
  async check(
    userId: string,
    surface: { channel: string; ts: string },
    ref: ActionRef,
    values: string[],
  ): Promise<Delivery> {
    const m = this.ws.findMessage(surface.channel, surface.ts);
    if (!m) throw new Error("message not found");
    const el = this.findElement(m.blocks, ref);
    if (el?.type !== "checkboxes") throw new Error("no such checkboxes");
    const selected = optionsOf(el).filter((o) => values.includes(String(o.value)));
    const state = this.messageState(m);
    state[ref.blockId] = { [ref.actionId]: { type: "checkboxes", selected_options: selected } };
    m.state = state;
    this.ws.changed("messages");
    return this.messageAction(userId, m, {
      action_id: ref.actionId,
      block_id: ref.blockId,
      type: "checkboxes",
      selected_options: selected,
      action_ts: String(Date.now() / 1000),
    });
  }

  /** A block_actions payload from a message, as Slack builds it. */
  private messageAction(userId: string, m: Message, action: Json): Promise<Delivery> {
    const c = this.ws.conversations.get(m.channel);
    return this.interaction("block_actions", {
      type: "block_actions",
      user: this.userOf(userId),
      api_app_id: APP_ID,
      token: "sandbox-verification-token",
      container: {
        type: "message",
        message_ts: m.ts,
        channel_id: m.channel,
        is_ephemeral: Boolean(m.ephemeralFor),
      },
      trigger_id: this.ws.issueTrigger(userId),
      team: { id: TEAM.id, domain: TEAM.domain },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: m.channel, name: c?.name ?? "" },
      // Slack does not send the content of ephemeral messages back.
      message: m.ephemeralFor
        ? undefined
        : { type: "message", ts: m.ts, text: m.text, blocks: m.blocks, user: m.user },
      state: { values: this.messageState(m) },
      response_url: this.ws.issueResponseUrl(this.opts.selfUrl(), userId, m.channel, m.ts),
      actions: [action],
    });
  }

  /**
   * A message shortcut (the message's ⋯ menu) on any message the person can see, whether or
   * not the bot is in the conversation: Slack sends the message with it.
   */
  async messageShortcut(
    userId: string,
    surface: { channel: string; ts: string },
    callbackId: string,
  ): Promise<Delivery> {
    const m = this.ws.findMessage(surface.channel, surface.ts);
    if (!m || (m.ephemeralFor && m.ephemeralFor !== userId)) throw new Error("message not found");
    const c = this.conversation(surface.channel);
    if (!c.members.has(userId)) throw new Error(`${userId} cannot see that conversation`);
    const poster = m.user.startsWith("B")
      ? { bot_id: m.user, subtype: "bot_message" }
      : m.user === "U0KEYWARD"
        ? { user: m.user, bot_id: "B0KEYWARD" }
        : { user: m.user };
    return this.interaction("message_action", {
      type: "message_action",
      token: "sandbox-verification-token",
      action_ts: String(Date.now() / 1000),
      team: { id: TEAM.id, domain: TEAM.domain },
      user: this.userOf(userId),
      channel: { id: c.id, name: c.isIm ? "directmessage" : c.name },
      is_enterprise_install: false,
      enterprise: null,
      callback_id: callbackId,
      trigger_id: this.ws.issueTrigger(userId),
      response_url: this.ws.issueResponseUrl(this.opts.selfUrl(), userId, c.id),
      message_ts: m.ts,
      message: {
        type: "message",
        ...poster,
        text: m.text,
        ts: m.ts,
        ...(m.blocks ? { blocks: m.blocks } : {}),
        ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
      },
    });
  }

  /** A global shortcut (the composer's shortcuts menu or search), from anywhere. */
  async globalShortcut(userId: string, callbackId: string): Promise<Delivery> {
    return this.interaction("shortcut", {
      type: "shortcut",
      token: "sandbox-verification-token",
      action_ts: String(Date.now() / 1000),
      team: { id: TEAM.id, domain: TEAM.domain },
      user: { id: userId, username: this.ws.people.get(userId)?.name ?? userId, team_id: TEAM.id },
      is_enterprise_install: false,
      enterprise: null,
      callback_id: callbackId,
      trigger_id: this.ws.issueTrigger(userId),
    });
  }

  /** A click on a button, overflow option or select in a message or a view. */
  async click(userId: string, surface: Surface, ref: ActionRef): Promise<Delivery> {
    if (surface.kind === "message") {
      const m = this.ws.findMessage(surface.channel, surface.ts);
      if (!m) throw new Error("message not found");
      const el = this.findElement(m.blocks, ref);
      if (!el) throw new Error(`no element ${ref.blockId}/${ref.actionId} in that message`);
      return this.messageAction(userId, m, this.actionPayload(el, ref));
    }
    const v = this.ws.views.get(surface.viewId);
    if (!v) throw new Error("view not found");
    const el = this.findElement(v.view.blocks, ref);
    if (!el) throw new Error(`no element ${ref.blockId}/${ref.actionId} in that view`);
    return this.interaction("block_actions", {
      type: "block_actions",
      user: this.userOf(userId),
      api_app_id: APP_ID,
      token: "sandbox-verification-token",
      container: { type: "view", view_id: v.id },
      trigger_id: this.ws.issueTrigger(userId, v.id),
      team: { id: TEAM.id, domain: TEAM.domain },
      enterprise: null,
      is_enterprise_install: false,
      view: this.api.viewPayload(v),
      actions: [this.actionPayload(el, ref)],
    });
  }

  /** Options of an external select, as Slack asks the app for them while the person types. */
  async suggest(
    userId: string,
    viewId: string,
    blockId: string,
    actionId: string,
    value: string,
  ): Promise<Json[]> {
    const v = this.ws.views.get(viewId);
    if (!v) throw new Error("view not found");
    const answer = await this.interaction("block_suggestion", {
      type: "block_suggestion",
      user: this.userOf(userId),
      container: { type: "view", view_id: v.id },
      api_app_id: APP_ID,
      token: "sandbox-verification-token",
      action_id: actionId,
      block_id: blockId,
      value,
      team: { id: TEAM.id, domain: TEAM.domain },
      view: this.api.viewPayload(v),
    });
    const body = answer.json ?? {};
    if (Array.isArray(body.option_groups)) {
      return body.option_groups.flatMap((g) =>
        isObj(g) && Array.isArray(g.options) ? (g.options as Json[]) : [],
      );
    }
    return Array.isArray(body.options) ? (body.options as Json[]) : [];
  }

  /**
   * Picks an option in a single select of a view. An input with dispatch_action tells the app
   * at once, as Slack does.
   */
  async choose(
    userId: string,
    viewId: string,
    blockId: string,
    actionId: string,
    option: Json,
  ): Promise<Delivery | undefined> {
    const v = this.ws.views.get(viewId);
    if (!v) throw new Error("view not found");
    const block = (Array.isArray(v.view.blocks) ? v.view.blocks : []).find(
      (b) => isObj(b) && b.block_id === blockId,
    ) as Json | undefined;
    const el = block && isObj(block.element) ? block.element : undefined;
    if (!el) throw new Error(`no input ${blockId}`);
    this.setValue(viewId, blockId, actionId, { type: String(el.type), selected_option: option });
    if (!block?.dispatch_action) return undefined;
    return this.interaction("block_actions", {
      type: "block_actions",
      user: this.userOf(userId),
      api_app_id: APP_ID,
      container: { type: "view", view_id: v.id },
      trigger_id: this.ws.issueTrigger(userId, v.id),
      team: { id: TEAM.id, domain: TEAM.domain },
      view: this.api.viewPayload(v),
      actions: [
        {
          action_id: actionId,
          block_id: blockId,
          type: el.type,
          selected_option: option,
          action_ts: String(Date.now() / 1000),
        },
      ],
    });
  }

  /**
   * What a person entered in a view's inputs, as Slack's client sends it with each interaction:
   * values for inputs the view has (with the element's type), the rest left as they are.
   */
  fill(viewId: string, values: Record<string, Record<string, StateValue>>): void {
    const v = this.ws.views.get(viewId);
    if (!v) throw new Error("view not found");
    for (const b of Array.isArray(v.view.blocks) ? v.view.blocks : []) {
      if (!isObj(b) || b.type !== "input" || !isObj(b.element)) continue;
      const blockId = String(b.block_id);
      const actionId = String(b.element.action_id ?? "input");
      const value = values[blockId]?.[actionId];
      if (value && value.type === b.element.type)
        v.values[blockId] = { ...(v.values[blockId] ?? {}), [actionId]: value };
    }
  }

  /** What a person ticked in a message's checkboxes, as their client holds it. */
  fillMessage(
    channel: string,
    ts: string,
    values: Record<string, Record<string, StateValue>>,
  ): void {
    const m = this.ws.findMessage(channel, ts);
    if (!m) throw new Error("message not found");
    const state = this.messageState(m);
    for (const [blockId, actions] of Object.entries(state)) {
      for (const actionId of Object.keys(actions)) {
        const el = this.findElement(m.blocks, { blockId, actionId });
        const picked = values[blockId]?.[actionId]?.selected_options;
        if (el?.type !== "checkboxes" || !Array.isArray(picked)) continue;
        const chosen = new Set(picked.map((o) => String(isObj(o) ? o.value : "")));
        actions[actionId] = {
          type: "checkboxes",
          selected_options: optionsOf(el).filter((o) => chosen.has(String(o.value))),
        };
      }
    }
    m.state = state;
  }

  /** Sets a form value in an open view, as a person typing or picking would. */
  setValue(viewId: string, blockId: string, actionId: string, value: StateValue): void {
    const v = this.ws.views.get(viewId);
    if (!v) throw new Error("view not found");
    v.values[blockId] = { ...(v.values[blockId] ?? {}), [actionId]: value };
    delete v.errors[blockId];
    this.ws.changed("views");
  }

  /** Submits the person's top modal; applies the app's response_action. */
  async submit(userId: string, viewId: string): Promise<Delivery> {
    const v = this.ws.views.get(viewId);
    if (v?.kind !== "modal") throw new Error("modal not found");
    const answer = await this.interaction("view_submission", {
      type: "view_submission",
      team: { id: TEAM.id, domain: TEAM.domain },
      user: this.userOf(userId),
      api_app_id: APP_ID,
      token: "sandbox-verification-token",
      trigger_id: this.ws.issueTrigger(userId, v.id),
      view: this.api.viewPayload(v),
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    });
    if (answer.status === 200) this.applySubmissionAnswer(userId, v, answer.json);
    return answer;
  }

  private applySubmissionAnswer(userId: string, v: View, body: Json | undefined): void {
    const stack = this.ws.stacks.get(userId) ?? [];
    const action = body?.response_action;
    if (action === "errors") {
      v.errors = (body?.errors as Record<string, string>) ?? {};
    } else if (action === "update" && isObj(body?.view)) {
      this.api.replaceView(v, body.view);
    } else if (action === "push" && isObj(body?.view)) {
      this.api.pushView(userId, body.view);
    } else if (action === "clear") {
      this.ws.stacks.set(userId, []);
      for (const id of stack) this.ws.dropView(id);
    } else {
      this.ws.stacks.set(
        userId,
        stack.filter((id) => id !== v.id),
      );
      this.ws.dropView(v.id);
    }
    this.ws.changed("views");
  }

  /** Closes the top modal (Cancel / ×); tells the app when the view asked to be told. */
  async close(userId: string, viewId: string): Promise<Delivery | undefined> {
    const v = this.ws.views.get(viewId);
    const stack = this.ws.stacks.get(userId) ?? [];
    this.ws.stacks.set(
      userId,
      stack.filter((id) => id !== viewId),
    );
    this.ws.changed("views");
    if (!v?.view.notify_on_close) {
      this.ws.dropView(viewId);
      return undefined;
    }
    const payload = this.api.viewPayload(v);
    this.ws.dropView(viewId);
    return this.interaction("view_closed", {
      type: "view_closed",
      team: { id: TEAM.id, domain: TEAM.domain },
      user: this.userOf(userId),
      api_app_id: APP_ID,
      view: payload,
      is_cleared: false,
    });
  }

  private async event(event: Json): Promise<Delivery> {
    this.events += 1;
    return this.deliver(
      "event",
      JSON.stringify({
        token: "sandbox-verification-token",
        team_id: TEAM.id,
        api_app_id: APP_ID,
        event,
        type: "event_callback",
        event_id: `Ev${String(this.events).padStart(8, "0")}`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: TEAM.id, user_id: "U0KEYWARD", is_bot: true }],
      }),
      "application/json",
    );
  }

  async openHome(userId: string): Promise<Delivery> {
    const im = this.ws.imWith(userId);
    return this.event({
      type: "app_home_opened",
      user: userId,
      channel: im?.id,
      tab: "home",
      event_ts: String(Date.now() / 1000),
    });
  }

  /**
   * A person posts in a conversation; the app hears it if the bot is a member. A reply can be
   * "also sent to the channel" (thread_broadcast); a message can come with a file (file_share).
   */
  async say(
    userId: string,
    channel: string,
    text: string,
    threadTs?: string,
    o: { broadcast?: boolean; file?: string } = {},
  ) {
    const c = this.conversation(channel);
    const m = this.ws.post({ channel, user: userId, text, threadTs });
    const subtype = o.broadcast ? "thread_broadcast" : o.file ? "file_share" : undefined;
    const answer = await this.messageEvent(c, {
      ...(subtype ? { subtype } : {}),
      user: userId,
      text,
      ts: m.ts,
      thread_ts: threadTs,
      ...(o.file
        ? {
            files: [
              { id: this.ws.nextId("F"), name: o.file, title: o.file, mimetype: "text/plain" },
            ],
          }
        : {}),
      ...(o.broadcast ? { root: { ts: threadTs, user: userId, type: "message" } } : {}),
    });
    return { message: m, answer };
  }

  /** A bot or integration posts (CI, alerts): a bot_message, with no user. */
  async botSays(bot: { botId: string; username: string }, channel: string, text: string) {
    const c = this.conversation(channel);
    const m = this.ws.post({ channel, user: bot.botId, text });
    const answer = await this.messageEvent(c, {
      subtype: "bot_message",
      bot_id: bot.botId,
      username: bot.username,
      text,
      ts: m.ts,
    });
    return { message: m, answer };
  }

  /** Whoever posted a message edits it: Slack sends message_changed with the new version. */
  async edit(channel: string, ts: string, text: string) {
    const c = this.conversation(channel);
    const m = this.ws.findMessage(channel, ts);
    if (!m) throw new Error("message not found");
    const previous = { type: "message", user: m.user, text: m.text, ts: m.ts };
    m.text = text;
    m.editedAt = Date.now();
    this.ws.changed("messages");
    const editTs = this.ws.nextTs();
    const isBot = m.user.startsWith("B") || m.user === "U0KEYWARD";
    return this.messageEvent(c, {
      subtype: "message_changed",
      hidden: true,
      ts: editTs,
      message: {
        type: "message",
        ...(m.user.startsWith("B") ? { bot_id: m.user, subtype: "bot_message" } : { user: m.user }),
        ...(m.user === "U0KEYWARD" ? { bot_id: "B0KEYWARD" } : {}),
        text,
        ts: m.ts,
        ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
        edited: { user: isBot ? "U0KEYWARD" : m.user, ts: editTs },
      },
      previous_message: previous,
    });
  }

  private conversation(channel: string) {
    const c = this.ws.conversations.get(channel);
    if (!c) throw new Error("no such conversation");
    return c;
  }

  /** A message event in a conversation, heard only where the bot is a member. */
  private async messageEvent(
    c: { id: string; isIm: boolean; members: Set<string> },
    fields: Json & { ts: unknown },
  ): Promise<Delivery | undefined> {
    if (!c.members.has("U0KEYWARD")) return undefined;
    return this.event({
      type: "message",
      channel: c.id,
      channel_type: c.isIm ? "im" : "channel",
      event_ts: fields.ts,
      ...fields,
    });
  }
}
