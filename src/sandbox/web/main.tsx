// The sandbox page: a Slack-like client for one workspace, talking to the stand-in.
import { render } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, type Json, type Message, type Snapshot, type View } from "./api.ts";
import { type BlockCtx, Blocks } from "./blocks.tsx";
import { emojify, type Names, Text } from "./mrkdwn.tsx";

const BOT = "U0KEYWARD";
const HOME = "home";

function useSnapshot(me: string) {
  const [snap, setSnap] = useState<Snapshot | null>(null);
  useEffect(() => {
    let alive = true;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const load = () =>
      api.state(me).then((s) => {
        if (alive) setSnap(s);
      });
    void load();
    const events = new EventSource("/sandbox/api/events");
    events.onmessage = () => {
      clearTimeout(pending);
      pending = setTimeout(load, 40);
    };
    return () => {
      alive = false;
      events.close();
    };
  }, [me]);
  return snap;
}

function time(ts: string) {
  return new Date(Number(ts) * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function MessageItem({
  m,
  ctx,
  snap,
}: {
  m: Message;
  ctx: (m: Message) => BlockCtx;
  snap: Snapshot;
}) {
  const author = snap.everyone.find((p) => p.id === m.user);
  const c = ctx(m);
  return (
    <div class={`message${m.ephemeralFor ? " ephemeral" : ""}`} data-ts={m.ts}>
      <div class="avatar">{m.user === BOT ? "🔑" : (author?.realName ?? "?").slice(0, 1)}</div>
      <div class="body">
        <div class="meta">
          <b>{m.user === BOT ? "Keyward" : (author?.realName ?? m.user)}</b>
          {m.user === BOT && <span class="app-badge">APP</span>}
          <span class="muted">{time(m.ts)}</span>
          {m.editedAt && <span class="muted">(edited)</span>}
        </div>
        {m.blocks?.length ? (
          <Blocks blocks={m.blocks} ctx={c} />
        ) : (
          <Text t={{ type: "mrkdwn", text: m.text }} names={c.names} />
        )}
        {m.ephemeralFor && <div class="only-you">👁 Only visible to you</div>}
      </div>
    </div>
  );
}

function ConfirmDialog({ dialog, done }: { dialog: Json; done: (ok: boolean) => void }) {
  const t = (k: string) => String((dialog[k] as Json | undefined)?.text ?? "");
  return (
    <div class="overlay" role="dialog" aria-modal="true">
      <div class="confirm">
        <h3>{t("title")}</h3>
        <p>{emojify(t("text"))}</p>
        <div class="footer">
          <button type="button" class="btn" onClick={() => done(false)}>
            {t("deny") || "Cancel"}
          </button>
          <button type="button" class="btn primary" onClick={() => done(true)}>
            {t("confirm") || "OK"}
          </button>
        </div>
      </div>
    </div>
  );
}

function Modal({
  view,
  ctx,
  me,
  busy,
  setBusy,
}: {
  view: View;
  ctx: BlockCtx;
  me: string;
  busy: boolean;
  setBusy(b: boolean): void;
}) {
  const v = view.view;
  const title = String((v.title as Json | undefined)?.text ?? "");
  const submit = (v.submit as Json | undefined)?.text as string | undefined;
  const close = String((v.close as Json | undefined)?.text ?? "Close");
  const act = async (f: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await f();
    } catch (e) {
      ctx.failed(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="overlay" role="dialog" aria-modal="true" aria-label={title}>
      <div class="modal">
        <div class="modal-head">
          <h2>{emojify(title)}</h2>
          <button
            type="button"
            class="btn icon"
            aria-label="Close"
            onClick={() => void act(() => api.close(me, view.id))}
          >
            ×
          </button>
        </div>
        <div class="modal-body">
          <Blocks blocks={v.blocks ?? []} ctx={ctx} />
        </div>
        <div class="footer">
          <button
            type="button"
            class="btn"
            disabled={busy}
            onClick={() => void act(() => api.close(me, view.id))}
          >
            {close}
          </button>
          {submit && (
            <button
              type="button"
              class="btn primary"
              disabled={busy}
              onClick={() => void act(() => api.submit(me, view.id))}
            >
              {submit}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

function App() {
  const [me, setMe] = useState(localStorage.getItem("keyward.me") || "U0OLIVIA");
  const [where, setWhere] = useState(localStorage.getItem("keyward.where") || "C0GENERAL");
  const [draft, setDraft] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [dialog, setDialog] = useState<{ d: Json; resolve(ok: boolean): void } | null>(null);
  const snap = useSnapshot(me);
  const list = useRef<HTMLDivElement>(null);

  useEffect(() => localStorage.setItem("keyward.me", me), [me]);
  useEffect(() => localStorage.setItem("keyward.where", where), [where]);
  useEffect(() => {
    if (where === HOME) void api.home(me).catch(() => undefined);
  }, [where, me]);
  const convo = snap?.conversations.find((c) => c.id === where);
  useEffect(() => {
    list.current?.scrollTo(0, list.current.scrollHeight);
  }, [convo?.messages.length, where, me]);

  const names: Names = useMemo(
    () => ({
      user: (id) => snap?.everyone.find((p) => p.id === id)?.realName ?? id,
      channel: (id) => snap?.conversations.find((c) => c.id === id)?.name ?? id,
    }),
    [snap],
  );
  if (!snap) return <div class="loading">Loading the sandbox…</div>;

  const failed = (e: unknown) => setError(e instanceof Error ? e.message : String(e));
  const confirm = (d: Json) => new Promise<boolean>((resolve) => setDialog({ d, resolve }));
  const base = { me, names, people: snap.people, errors: {}, confirm, failed };
  const messageCtx = (m: Message): BlockCtx => ({
    ...base,
    surface: { kind: "message", channel: m.channel, ts: m.ts },
    values: m.state ?? {},
  });
  const top = snap.modals[snap.modals.length - 1];
  const person = snap.people.find((p) => p.id === me);

  const send = async () => {
    const text = draft.trim();
    if (!text || !convo) return;
    setDraft("");
    setError("");
    try {
      if (text.startsWith("/apikeys"))
        await api.command(me, convo.id, text.slice("/apikeys".length).trim());
      else if (text.startsWith("/"))
        setError(`${text.split(" ")[0]} is not a command here. Try /apikeys help.`);
      else await api.say(me, convo.id, text);
    } catch (e) {
      failed(e);
    }
  };

  const roots = convo?.messages.filter((m) => !m.threadTs) ?? [];
  const replies = (ts: string) => convo?.messages.filter((m) => m.threadTs === ts) ?? [];

  return (
    <div class="app">
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
            onClick={() => setWhere(HOME)}
          >
            🏠 Keyward — Home
          </button>
          <div class="nav-title">Channels</div>
          {snap.conversations
            .filter((c) => !c.isIm)
            .map((c) => (
              <button
                type="button"
                key={c.id}
                data-nav={c.name}
                class={where === c.id ? "active" : ""}
                onClick={() => setWhere(c.id)}
              >
                # {c.name}
              </button>
            ))}
          <div class="nav-title">Direct messages</div>
          {snap.conversations
            .filter((c) => c.isIm)
            .map((c) => (
              <button
                type="button"
                key={c.id}
                data-nav="dm"
                class={where === c.id ? "active" : ""}
                onClick={() => setWhere(c.id)}
              >
                🔑 Keyward <span class="count">{c.messages.length}</span>
              </button>
            ))}
          {!snap.conversations.some((c) => c.isIm) && (
            <div class="muted small">No DMs from Keyward yet.</div>
          )}
        </nav>
        <div class="muted small foot">
          Not connected to Slack: this is a local stand-in. Everything you click goes to the real
          Keyward over signed HTTP.
        </div>
      </aside>
      <main class="pane">
        <header class="pane-head">
          <h1>
            {where === HOME
              ? "Keyward — Home"
              : convo
                ? convo.isIm
                  ? "Keyward"
                  : `# ${convo.name}`
                : ""}
          </h1>
          <span class="muted">{person ? `${person.realName} · ${person.title ?? ""}` : ""}</span>
        </header>
        {where === HOME ? (
          <div class="messages home">
            {snap.home ? (
              <Blocks
                blocks={snap.home.view.blocks ?? []}
                ctx={{
                  ...base,
                  surface: { kind: "view", viewId: snap.home.id },
                  values: snap.home.values,
                }}
              />
            ) : (
              <div class="muted">Opening Home…</div>
            )}
          </div>
        ) : (
          <div class="messages" ref={list}>
            {roots.length === 0 && (
              <div class="muted empty">
                No messages yet. Type <code>/apikeys help</code> below.
              </div>
            )}
            {roots.map((m) => (
              <div key={m.ts}>
                <MessageItem m={m} ctx={messageCtx} snap={snap} />
                {replies(m.ts).length > 0 && (
                  <div class="thread">
                    {replies(m.ts).map((r) => (
                      <MessageItem key={r.ts} m={r} ctx={messageCtx} snap={snap} />
                    ))}
                  </div>
                )}
              </div>
            ))}
          </div>
        )}
        {where !== HOME && (
          <form
            class="composer"
            onSubmit={(e) => {
              e.preventDefault();
              void send();
            }}
          >
            <input
              aria-label="Message"
              value={draft}
              placeholder={`Message ${convo?.isIm ? "Keyward" : `#${convo?.name ?? ""}`} — try /apikeys help`}
              onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
            />
            <button type="submit" class="btn primary">
              Send
            </button>
          </form>
        )}
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
          view={top}
          me={me}
          busy={busy}
          setBusy={setBusy}
          ctx={{
            ...base,
            surface: { kind: "view", viewId: top.id },
            values: top.values,
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
