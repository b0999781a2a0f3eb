// The stand-in's picture of a Slack workspace: people, conversations, messages, views and
// triggers. Everything Slack would keep, kept in memory, observable for the sandbox page.
import { EventEmitter } from "node:events";
import { assignBlockIds } from "./block-ids.ts";

export type Json = Record<string, unknown>;

export interface Person {
  id: string;
  name: string;
  realName: string;
  deleted?: boolean;
  isBot?: boolean;
  /** Shown in the sandbox's person picker. */
  title?: string;
  /** IANA time zone, as the person set it in Slack (users.info's tz); UTC when not given. */
  tz?: string;
}

export interface Conversation {
  id: string;
  name: string;
  isIm: boolean;
  /** For a DM: the person the bot talks to. */
  user?: string;
  members: Set<string>;
}

/** A file as a message carries it (and conversations.history shows it). */
export interface FileRef {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  size: number;
}

/** A file from files.getUploadURLExternal: reserved, then its bytes uploaded, then shared. */
export interface SlackFile {
  id: string;
  name: string;
  title: string;
  /** The size announced when it was reserved; the upload must match it. */
  length: number;
  mimetype: string;
  filetype: string;
  state: "reserved" | "uploaded" | "shared";
  uploadToken: string;
  created: number;
  bytes?: Buffer;
}

export interface Message {
  channel: string;
  ts: string;
  /** Who posted it (a person, or the bot's user id). */
  user: string;
  text: string;
  blocks?: Json[];
  threadTs?: string;
  metadata?: Json;
  /** Files shared with the message (files.completeUploadExternal). */
  files?: FileRef[];
  /** Only this person sees it (a slash command's answer, chat.postEphemeral). */
  ephemeralFor?: string;
  deleted?: boolean;
  editedAt?: number;
  /** Interactive inputs in the message (checkboxes on a card) as the person has set them. */
  state?: Record<string, Record<string, StateValue>>;
}

export type StateValue = Json & { type: string };

export interface View {
  id: string;
  hash: string;
  user: string;
  kind: "modal" | "home";
  view: Json;
  /** Form state as the person has filled it: block_id → action_id → value. */
  values: Record<string, Record<string, StateValue>>;
  rootViewId: string;
  previousViewId: string | null;
  /** response_action errors, by block id, shown under their inputs. */
  errors: Record<string, string>;
  /**
   * The hash of the content the inputs were last set up from (open, push, or a replacement
   * that does not keep input). While it stays the same, what the person entered stands.
   */
  inputsFrom: string;
}

export interface Trigger {
  id: string;
  user: string;
  issuedAt: number;
  used: boolean;
  /** The modal the interaction came from, when it came from one. */
  fromViewId?: string;
}

export interface ResponseUrl {
  token: string;
  user: string;
  channel: string;
  /** The message `replace_original` / `delete_original` act on. */
  messageTs?: string;
  uses: number;
}

export const TEAM = { id: "T0SANDBOX", domain: "keyward-sandbox" };
export const APP_ID = "A0KEYWARD";
export const BOT = { userId: "U0KEYWARD", botId: "B0KEYWARD", name: "keyward" };

export class Workspace extends EventEmitter {
  readonly people = new Map<string, Person>();
  readonly conversations = new Map<string, Conversation>();
  /** Every message, oldest first (persistence and whole-workspace checks). */
  readonly messages: Message[] = [];
  // Indexes, so a busy workspace answers in constant time, not by scanning every message.
  private readonly byKey = new Map<string, Message>();
  private readonly shared = new Map<string, Message[]>();
  private readonly ephemeral = new Map<string, Message[]>();
  readonly views = new Map<string, View>();
  /** Open modal stack per person, bottom first (at most 3). */
  readonly stacks = new Map<string, string[]>();
  readonly homes = new Map<string, string>();
  readonly triggers = new Map<string, Trigger>();
  readonly responseUrls = new Map<string, ResponseUrl>();
  readonly usergroups = new Map<string, string[]>();
  /** Files by id, and the upload URLs' tokens to their files. */
  readonly files = new Map<string, SlackFile>();
  readonly uploads = new Map<string, string>();
  /** How far each person has read each conversation: "user|channel" → message ts. */
  readonly lastRead = new Map<string, string>();
  /** Counts changes, so a watcher can tell a picture taken before a change from one after. */
  version = 0;
  private seq = 0;
  private lastTs = 0;

  constructor() {
    super();
    this.setMaxListeners(100);
    this.addPerson({ id: BOT.userId, name: BOT.name, realName: "Keyward", isBot: true });
  }

  nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}${String(this.seq).padStart(8, "0")}`;
  }

  /** Slack message timestamps: unique, increasing, "seconds.micros". */
  nextTs(): string {
    const now = Date.now() * 1000;
    this.lastTs = Math.max(now, this.lastTs + 1);
    return `${Math.floor(this.lastTs / 1_000_000)}.${String(this.lastTs % 1_000_000).padStart(6, "0")}`;
  }

  changed(what: string): void {
    this.version += 1;
    this.emit("change", what, this.version);
  }

  addPerson(p: Person): Person {
    this.people.set(p.id, p);
    for (const c of this.conversations.values()) if (!c.isIm) c.members.add(p.id);
    this.changed("people");
    return p;
  }

  addChannel(id: string, name: string): Conversation {
    const c: Conversation = { id, name, isIm: false, members: new Set(this.people.keys()) };
    this.conversations.set(id, c);
    this.changed("conversations");
    return c;
  }

  /** The DM between the bot and a person (created on first use, like conversations.open). */
  imWith(userId: string): Conversation | undefined {
    const person = this.people.get(userId);
    if (!person || person.deleted) return undefined;
    const id = `D${userId.slice(1)}`;
    let c = this.conversations.get(id);
    if (!c) {
      c = {
        id,
        name: person.name,
        isIm: true,
        user: userId,
        members: new Set([userId, BOT.userId]),
      };
      this.conversations.set(id, c);
      this.changed("conversations");
    }
    return c;
  }

  /**
   * A direct message between two people, which the bot is not in (it hears nothing there, and
   * only a shortcut can bring one of its messages to the app).
   */
  dmBetween(a: string, b: string): Conversation {
    const id = `D${[a, b]
      .sort()
      .join("")
      .replace(/[^A-Z0-9]/g, "")
      .slice(0, 18)}`;
    let c = this.conversations.get(id);
    if (!c) {
      const names = [a, b].map((x) => this.people.get(x)?.name ?? x);
      c = { id, name: names.join(", "), isIm: true, members: new Set([a, b]) };
      this.conversations.set(id, c);
      this.changed("conversations");
    }
    return c;
  }

  /** A channel id, or a person's id meaning their DM with the bot. */
  resolveChannel(idOrUser: string): Conversation | undefined {
    if (/^[UW]/.test(idOrUser)) return this.imWith(idOrUser);
    return this.conversations.get(idOrUser);
  }

  post(m: Omit<Message, "ts"> & { ts?: string }): Message {
    assignBlockIds(m.blocks);
    const msg: Message = { ...m, ts: m.ts ?? this.nextTs() };
    this.index(msg);
    this.changed("messages");
    return msg;
  }

  /** Messages saved by an earlier run. */
  restore(messages: Message[]): void {
    for (const m of messages) this.index(m);
  }

  private index(m: Message): void {
    this.messages.push(m);
    this.byKey.set(`${m.channel}|${m.ts}`, m);
    const key = m.ephemeralFor ? `${m.channel}|${m.ephemeralFor}` : m.channel;
    const list = (m.ephemeralFor ? this.ephemeral : this.shared).get(key);
    if (list) list.push(m);
    else (m.ephemeralFor ? this.ephemeral : this.shared).set(key, [m]);
  }

  findMessage(channel: string, ts: string): Message | undefined {
    const m = this.byKey.get(`${channel}|${ts}`);
    return m && !m.deleted ? m : undefined;
  }

  /** A conversation's messages everyone in it sees (threads included), oldest first. */
  channelMessages(channel: string): Message[] {
    return (this.shared.get(channel) ?? []).filter((m) => !m.deleted);
  }

  /** What a person sees in a conversation, oldest first. */
  visibleTo(userId: string, channel: string): Message[] {
    const a = this.shared.get(channel) ?? [];
    const b = this.ephemeral.get(`${channel}|${userId}`) ?? [];
    const out: Message[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const x = a[i];
      const y = b[j];
      const takeShared = y === undefined || (x !== undefined && Number(x.ts) <= Number(y.ts));
      const next = takeShared ? x : y;
      if (takeShared) i++;
      else j++;
      if (next && !next.deleted) out.push(next);
    }
    return out;
  }

  /** The text of a shared file (a CSV, say), for tests and the sandbox page. */
  fileText(id: string): string | undefined {
    const f = this.files.get(id);
    return f?.state === "shared" ? f.bytes?.toString("utf8") : undefined;
  }

  /** A person has seen a conversation up to this message (conversations.mark). */
  markRead(userId: string, channel: string, ts: string): void {
    const key = `${userId}|${channel}`;
    if (Number(this.lastRead.get(key) ?? 0) >= Number(ts)) return;
    this.lastRead.set(key, ts);
    this.changed("read");
  }

  /**
   * Messages a person has not seen in a conversation: others' messages after what they read.
   * Thread replies count in their thread, not in the conversation, as in Slack.
   */
  unreadCount(userId: string, channel: string): number {
    const read = Number(this.lastRead.get(`${userId}|${channel}`) ?? 0);
    let n = 0;
    for (const m of this.visibleTo(userId, channel))
      if (!m.threadTs && m.user !== userId && Number(m.ts) > read) n++;
    return n;
  }

  /** Forgets a modal once nothing can submit it any more. */
  dropView(viewId: string): void {
    for (const stack of this.stacks.values()) if (stack.includes(viewId)) return;
    for (const home of this.homes.values()) if (home === viewId) return;
    this.views.delete(viewId);
  }

  issueTrigger(user: string, fromViewId?: string): string {
    // Triggers live 3 seconds; forget old ones now and then so a long run stays small.
    if (this.triggers.size > 5000) {
      const cutoff = Date.now() - 60_000;
      for (const [id, t] of this.triggers) if (t.issuedAt < cutoff) this.triggers.delete(id);
    }
    const id = `${Date.now()}.${this.nextId("")}.${Math.random().toString(16).slice(2, 10)}`;
    this.triggers.set(id, { id, user, issuedAt: Date.now(), used: false, fromViewId });
    return id;
  }

  issueResponseUrl(base: string, user: string, channel: string, messageTs?: string): string {
    // Slack's response URLs work for 30 minutes and five uses; keep the newest ones.
    if (this.responseUrls.size > 20_000) {
      const oldest = [...this.responseUrls.keys()].slice(0, 10_000);
      for (const k of oldest) this.responseUrls.delete(k);
    }
    const token = this.nextId("R");
    this.responseUrls.set(token, { token, user, channel, messageTs, uses: 0 });
    return `${base}/response/${token}`;
  }

  topModal(userId: string): View | undefined {
    const stack = this.stacks.get(userId);
    const id = stack?.[stack.length - 1];
    return id ? this.views.get(id) : undefined;
  }
}
