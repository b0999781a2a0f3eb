// A conversation as Slack shows it: the list kept at the newest message, replies under "N
// replies" and read in a thread pane, and a composer whose draft is the browser's.
import type { ComponentChildren } from "preact";
import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import type { Conversation, Message, Snapshot } from "./api.ts";
import { type BlockCtx, Blocks } from "./blocks.tsx";
import { Text } from "./mrkdwn.tsx";

const BOT = "U0KEYWARD";
/** Within this many pixels of the end counts as reading the newest messages. */
const NEAR_BOTTOM_PX = 48;

/** A message's time as Slack shows it to this person: in their own time zone, as dates in text are. */
function time(ts: string, tz?: string) {
  const at = new Date(Number(ts) * 1000);
  const zone = tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const clock = at.toLocaleTimeString("en-US", {
    hour: "numeric",
    minute: "2-digit",
    timeZone: zone,
  });
  const day = (d: Date) => d.toLocaleDateString("en-CA", { timeZone: zone });
  if (day(at) === day(new Date())) return clock;
  return `${at.toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: zone })}, ${clock}`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** A message's ⋯ menu: the app's message shortcuts, as Slack lists them there. */
function MessageMenu({ m, snap, shortcut }: { m: Message; snap: Snapshot; shortcut: Shortcut }) {
  const mine = snap.shortcuts.filter((s) => s.type === "message");
  if (m.ephemeralFor || mine.length === 0) return null;
  return (
    <details class="msg-menu">
      <summary aria-label="More actions">⋯</summary>
      <div class="sc-menu">
        {mine.map((s) => (
          <button
            type="button"
            key={s.callbackId}
            onClick={(e) => {
              (e.currentTarget as HTMLElement).closest("details")?.removeAttribute("open");
              shortcut(m, s.callbackId);
            }}
          >
            {s.name}
          </button>
        ))}
      </div>
    </details>
  );
}

/** Runs a message shortcut on a message. */
export type Shortcut = (m: Message, callbackId: string) => void;

export function MessageItem({
  m,
  ctx,
  snap,
  shortcut,
  children,
}: {
  m: Message;
  ctx: (m: Message) => BlockCtx;
  snap: Snapshot;
  shortcut?: Shortcut;
  /** Under the message: its thread's summary. */
  children?: ComponentChildren;
}) {
  const author = snap.everyone.find((p) => p.id === m.user);
  const c = ctx(m);
  return (
    <div class={`message${m.ephemeralFor ? " ephemeral" : ""}`} data-ts={m.ts}>
      {shortcut && <MessageMenu m={m} snap={snap} shortcut={shortcut} />}
      <div class="avatar">{m.user === BOT ? "🔑" : (author?.realName ?? "?").slice(0, 1)}</div>
      <div class="body">
        <div class="meta">
          <b>{m.user === BOT ? "Keyward" : (author?.realName ?? m.user)}</b>
          {m.user === BOT && <span class="app-badge">APP</span>}
          <span class="muted">{time(m.ts, c.names.tz)}</span>
          {m.editedAt && <span class="muted">(edited)</span>}
        </div>
        {m.blocks?.length ? (
          // A message the app rewrote is drawn afresh, its checkboxes as it now says.
          <Blocks key={m.editedAt ?? 0} blocks={m.blocks} ctx={c} />
        ) : (
          <Text t={{ type: "mrkdwn", text: m.text }} names={c.names} />
        )}
        {m.ephemeralFor && <div class="only-you">👁 Only visible to you</div>}
        {children}
      </div>
    </div>
  );
}

/** Replies by the message they answer. */
function threadsOf(messages: Message[]): Map<string, Message[]> {
  const replies = new Map<string, Message[]>();
  for (const m of messages) {
    if (!m.threadTs || m.threadTs === m.ts) continue;
    const list = replies.get(m.threadTs);
    if (list) list.push(m);
    else replies.set(m.threadTs, [m]);
  }
  return replies;
}

/**
 * Keeps a scrolling list at its end while the person is there: when it opens, when messages
 * arrive or grow, and when they send one themselves; leaves it alone once they scroll up.
 */
function useStickToBottom(key: string, newestMine: string | undefined) {
  const list = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const toBottom = () => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  };
  // A new conversation opens at its end.
  useLayoutEffect(() => {
    atBottom.current = true;
    toBottom();
  }, [key]);
  // What the person sends, they see.
  useLayoutEffect(() => {
    if (newestMine === undefined) return;
    atBottom.current = true;
    toBottom();
  }, [newestMine]);
  useEffect(() => {
    const el = content.current;
    if (!el) return;
    const watch = new ResizeObserver(() => {
      if (atBottom.current) toBottom();
    });
    watch.observe(el);
    return () => watch.disconnect();
  }, []);
  const onScroll = () => {
    const el = list.current;
    if (el) atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
  };
  return { list, content, onScroll };
}

export function MessageList({
  convo,
  snap,
  ctx,
  openThread,
  shortcut,
}: {
  convo: Conversation;
  snap: Snapshot;
  ctx: (m: Message) => BlockCtx;
  openThread(ts: string): void;
  shortcut?: Shortcut;
}) {
  const roots = convo.messages.filter((m) => !m.threadTs || m.threadTs === m.ts);
  const replies = threadsOf(convo.messages);
  const newestMine = convo.messages.filter((m) => m.user === snap.me).at(-1)?.ts;
  const { list, content, onScroll } = useStickToBottom(`${snap.me}|${convo.id}`, newestMine);
  return (
    <div class="messages" ref={list} onScroll={onScroll}>
      <div ref={content}>
        {roots.length === 0 && (
          <div class="muted empty">
            No messages yet. Type <code>/apikeys help</code> below.
          </div>
        )}
        {roots.map((m) => {
          const answers = replies.get(m.ts) ?? [];
          return (
            <MessageItem key={m.ts} m={m} ctx={ctx} snap={snap} shortcut={shortcut}>
              {answers.length > 0 && (
                <div class="thread-summary">
                  <button type="button" class="replies" onClick={() => openThread(m.ts)}>
                    {plural(answers.length, "reply", "replies")}
                  </button>
                  <span class="muted">
                    Last reply {time(answers.at(-1)?.ts ?? m.ts, ctx(m).names.tz)}
                  </span>
                </div>
              )}
            </MessageItem>
          );
        })}
      </div>
    </div>
  );
}

/** A thread beside the conversation: its first message, every reply, and a reply box. */
export function ThreadPane({
  convo,
  parentTs,
  snap,
  ctx,
  drafts,
  send,
  close,
  shortcut,
}: {
  convo: Conversation;
  parentTs: string;
  snap: Snapshot;
  ctx: (m: Message) => BlockCtx;
  drafts: Map<string, string>;
  send(text: string): Promise<void>;
  close(): void;
  shortcut?: Shortcut;
}) {
  const parent = convo.messages.find((m) => m.ts === parentTs);
  const answers = threadsOf(convo.messages).get(parentTs) ?? [];
  const newestMine = answers.filter((m) => m.user === snap.me).at(-1)?.ts;
  const { list, content, onScroll } = useStickToBottom(`${convo.id}|${parentTs}`, newestMine);
  return (
    <aside class="thread-pane" aria-label="Thread">
      <header class="pane-head">
        <h2>Thread</h2>
        <span class="muted">{convo.isIm ? "Keyward" : `# ${convo.name}`}</span>
        <button type="button" class="btn icon close" aria-label="Close thread" onClick={close}>
          ×
        </button>
      </header>
      <div class="thread-messages" ref={list} onScroll={onScroll}>
        <div ref={content}>
          {parent ? (
            <MessageItem m={parent} ctx={ctx} snap={snap} shortcut={shortcut} />
          ) : (
            <div class="muted empty">This message was deleted.</div>
          )}
          <div class="thread-divider muted">{plural(answers.length, "reply", "replies")}</div>
          {answers.map((m) => (
            <MessageItem key={m.ts} m={m} ctx={ctx} snap={snap} shortcut={shortcut} />
          ))}
        </div>
      </div>
      {parent && (
        <Composer
          draftKey={`${snap.me}|${convo.id}|${parentTs}`}
          drafts={drafts}
          label="Reply"
          placeholder="Reply…"
          send={send}
        />
      )}
    </aside>
  );
}

/**
 * The message box. The browser owns what is typed (nothing redraws it); the draft is kept per
 * conversation, as Slack keeps drafts, and cleared once sent.
 */
export function Composer({
  draftKey,
  drafts,
  label,
  placeholder,
  send,
}: {
  draftKey: string;
  drafts: Map<string, string>;
  label: string;
  placeholder: string;
  send(text: string): Promise<void>;
}) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        const el = input.current;
        const text = el?.value.trim() ?? "";
        if (!el || !text) return;
        el.value = "";
        drafts.delete(draftKey);
        void send(text);
      }}
    >
      <input
        key={draftKey}
        ref={input}
        aria-label={label}
        placeholder={placeholder}
        defaultValue={drafts.get(draftKey) ?? ""}
        onInput={(e) => drafts.set(draftKey, (e.target as HTMLInputElement).value)}
      />
      <button type="submit" class="btn primary">
        Send
      </button>
    </form>
  );
}
