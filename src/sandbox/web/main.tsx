// The sandbox page: a Slack-like client for one workspace, talking to the stand-in. A fixed
// sidebar, and a pane with Home or a conversation, its thread and its composer always in view.
import { render } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, type Json, type Message, type Snapshot } from "./api.ts";
import { type BlockCtx, Blocks } from "./blocks.tsx";
import { Composer, MessageList, ThreadPane } from "./conversation.tsx";
import { Forms } from "./forms.ts";
import { ConfirmDialog, Modal } from "./modal.tsx";
import type { Names } from "./mrkdwn.tsx";
import { useWorkspace } from "./workspace.ts";

const HOME = "home";

function Sidebar({
  snap,
  me,
  where,
  setMe,
  go,
}: {
  snap: Snapshot;
  me: string;
  where: string;
  setMe(id: string): void;
  go(where: string): void;
}) {
  const conversations = snap.me === me ? snap.conversations : [];
  const channels = conversations.filter((c) => !c.isIm);
  const dms = conversations.filter((c) => c.isIm);
  return (
    <aside class="sidebar">
      <div class="workspace">Keyward sandbox</div>
      <label class="whoami">
        <span>You are</span>
        <select
          value={me}
          onChange={(e) => setMe((e.target as HTMLSelectElement).value)}
          aria-label="You are"
        >
          {snap.people.map((p) => (
            <option key={p.id} value={p.id}>
              {p.realName} — {p.title ?? "member"}
            </option>
          ))}
        </select>
      </label>
      <nav>
        <div class="nav-title">Apps</div>
        <button
          type="button"
          data-nav="home"
          class={where === HOME ? "active" : ""}
          onClick={() => go(HOME)}
        >
          🏠 Keyward — Home
        </button>
        <div class="nav-title">Channels</div>
        {channels.map((c) => (
          <button
            type="button"
            key={c.id}
            data-nav={c.name}
            class={`${where === c.id ? "active" : ""}${c.unread && where !== c.id ? " unread" : ""}`}
            onClick={() => go(c.id)}
          >
            # {c.name}
          </button>
        ))}
        <div class="nav-title">Direct messages</div>
        {dms.map((c) => (
          <button
            type="button"
            key={c.id}
            data-nav="dm"
            class={`${where === c.id ? "active" : ""}${c.unread && where !== c.id ? " unread" : ""}`}
            onClick={() => go(c.id)}
          >
            {c.name === "Keyward" ? "🔑 Keyward" : `👤 ${c.name}`}
            {c.unread > 0 && where !== c.id && (
              <span class="count" title={`${c.unread} unread`}>
                {c.unread}
              </span>
            )}
          </button>
        ))}
        {snap.me === me && dms.length === 0 && (
          <div class="muted small">No DMs from Keyward yet.</div>
        )}
      </nav>
      <div class="muted small foot">
        Not connected to Slack: this is a local stand-in. Everything you click goes to the real
        Keyward over signed HTTP.
      </div>
    </aside>
  );
}

function App() {
  const [me, setMe] = useState(localStorage.getItem("keyward.me") || "U0OLIVIA");
  const [where, setWhere] = useState(localStorage.getItem("keyward.where") || "C0GENERAL");
  const [thread, setThread] = useState<{ channel: string; ts: string } | null>(null);
  const [error, setError] = useState("");
  const [dialog, setDialog] = useState<{ d: Json; resolve(ok: boolean): void } | null>(null);
  const forms = useRef(new Forms()).current;
  const drafts = useRef(new Map<string, string>()).current;
  const snap = useWorkspace(me);
  // Until the picture of the person now chosen arrives, show nothing of the previous one's.
  const mine = snap && snap.me === me ? snap : null;

  useEffect(() => localStorage.setItem("keyward.me", me), [me]);
  useEffect(() => localStorage.setItem("keyward.where", where), [where]);
  const failed = (e: unknown) => setError(e instanceof Error ? e.message : String(e));
  useEffect(() => {
    if (where === HOME) void api.home(me).catch(failed);
  }, [where, me]);
  const convo = mine?.conversations.find((c) => c.id === where);
  // Seeing a conversation reads it, up to its newest message.
  const newest = convo?.messages.at(-1)?.ts;
  useEffect(() => {
    if (convo && newest && convo.unread > 0) void api.read(me, convo.id, newest).catch(failed);
  }, [convo?.id, newest, convo?.unread, me]);
  useEffect(() => {
    if (mine) forms.keepViews(me, [...mine.modals.map((v) => v.id), mine.home?.id ?? ""]);
  }, [mine]);

  const names: Names = useMemo(
    () => ({
      user: (id) => snap?.everyone.find((p) => p.id === id)?.realName ?? id,
      channel: (id) => snap?.conversations.find((c) => c.id === id)?.name ?? id,
      tz: snap?.people.find((p) => p.id === me)?.tz,
    }),
    [snap, me],
  );
  if (!snap) return <div class="loading">Loading the sandbox…</div>;

  const go = (to: string) => {
    setWhere(to);
    setThread(null);
  };
  const switchTo = (id: string) => {
    setMe(id);
    setThread(null);
  };
  const confirm = (d: Json) => new Promise<boolean>((resolve) => setDialog({ d, resolve }));
  const base = { me, names, people: snap.people, errors: {}, confirm, failed };
  const messageCtx = (m: Message): BlockCtx => ({
    ...base,
    surface: { kind: "message", channel: m.channel, ts: m.ts },
    values: forms.forMessage(me, m),
  });
  const top = mine?.modals.at(-1);
  const person = snap.people.find((p) => p.id === me);

  const send = async (text: string, threadTs?: string) => {
    if (!convo) return;
    setError("");
    try {
      if (!threadTs && text.startsWith("/apikeys"))
        await api.command(me, convo.id, text.slice("/apikeys".length).trim());
      else if (text.startsWith("/"))
        setError(`${text.split(" ")[0]} is not a command here. Try /apikeys help.`);
      else await api.say(me, convo.id, text, threadTs);
    } catch (e) {
      failed(e);
    }
  };
  const openThread = thread && convo && thread.channel === convo.id ? thread : null;
  const shortcut = (m: Message, callbackId: string) => {
    setError("");
    void api.messageShortcut(me, m.channel, m.ts, callbackId).catch(failed);
  };
  const globals = mine?.shortcuts.filter((s) => s.type === "global") ?? [];

  return (
    <div class="app">
      <Sidebar snap={snap} me={me} where={where} setMe={switchTo} go={go} />
      <main class="pane">
        <header class="pane-head">
          <h1>
            {where === HOME
              ? "Keyward — Home"
              : convo
                ? convo.isIm
                  ? convo.name
                  : `# ${convo.name}`
                : ""}
          </h1>
          <span class="muted">{person ? `${person.realName} · ${person.title ?? ""}` : ""}</span>
        </header>
        <div class="pane-body">
          {where === HOME ? (
            <div class="messages home">
              {mine?.home ? (
                <Blocks
                  key={`${mine.home.id}|${mine.home.inputsFrom}`}
                  blocks={mine.home.view.blocks ?? []}
                  ctx={{
                    ...base,
                    surface: { kind: "view", viewId: mine.home.id },
                    values: forms.forView(mine.home),
                  }}
                />
              ) : (
                <div class="muted">Opening Home…</div>
              )}
            </div>
          ) : mine && convo ? (
            <>
              <section class="conversation">
                <MessageList
                  convo={convo}
                  snap={mine}
                  ctx={messageCtx}
                  openThread={(ts) => setThread({ channel: convo.id, ts })}
                  shortcut={shortcut}
                />
                {globals.length > 0 && (
                  <details class="shortcuts">
                    <summary>⚡ Shortcuts</summary>
                    <div class="sc-menu">
                      {globals.map((s) => (
                        <button
                          type="button"
                          key={s.callbackId}
                          onClick={(e) => {
                            (e.currentTarget as HTMLElement)
                              .closest("details")
                              ?.removeAttribute("open");
                            setError("");
                            void api.globalShortcut(me, s.callbackId).catch(failed);
                          }}
                        >
                          {s.name}
                        </button>
                      ))}
                    </div>
                  </details>
                )}
                <Composer
                  draftKey={`${me}|${convo.id}`}
                  drafts={drafts}
                  label="Message"
                  placeholder={`Message ${convo.isIm ? convo.name : `#${convo.name}`} — try /apikeys help`}
                  send={(text) => send(text)}
                />
              </section>
              {openThread && (
                <ThreadPane
                  convo={convo}
                  parentTs={openThread.ts}
                  snap={mine}
                  ctx={messageCtx}
                  drafts={drafts}
                  send={(text) => send(text, openThread.ts)}
                  close={() => setThread(null)}
                  shortcut={shortcut}
                />
              )}
            </>
          ) : (
            <div class="messages">
              <div class="muted">{mine ? "Pick a conversation." : "Loading…"}</div>
            </div>
          )}
        </div>
        {error && (
          <div class="toast" role="alert">
            {error}{" "}
            <button type="button" onClick={() => setError("")}>
              ×
            </button>
          </div>
        )}
      </main>
      {top && (
        <Modal
          key={`${top.id}|${top.inputsFrom}`}
          view={top}
          ctx={{
            ...base,
            surface: { kind: "view", viewId: top.id },
            values: forms.forView(top),
            errors: top.errors,
          }}
        />
      )}
      {dialog && (
        <ConfirmDialog
          dialog={dialog.d}
          done={(ok) => {
            dialog.resolve(ok);
            setDialog(null);
          }}
        />
      )}
    </div>
  );
}

const root = document.getElementById("root");
if (root) render(<App />, root);
