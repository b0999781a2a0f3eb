// The page's calls to the sandbox server.
export type Json = Record<string, unknown>;

export interface Message {
  channel: string;
  ts: string;
  user: string;
  text: string;
  blocks?: Json[];
  threadTs?: string;
  ephemeralFor?: string;
  editedAt?: number;
  state?: Values;
}

/** Form state: block_id → action_id → value, as Slack's `state.values`. */
export type Values = Record<string, Record<string, Json>>;

export interface View {
  id: string;
  user: string;
  kind: "modal" | "home";
  hash: string;
  /** Changes when the inputs start afresh; until then what the person entered stands. */
  inputsFrom: string;
  view: Json & { blocks?: Json[]; title?: Json; submit?: Json; close?: Json };
  values: Values;
  errors: Record<string, string>;
}

export interface Conversation {
  id: string;
  name: string;
  isIm: boolean;
  unread: number;
  messages: Message[];
}

export interface Snapshot {
  me: string;
  /** The workspace's change count when this picture was taken. */
  version: number;
  people: Array<{ id: string; name: string; realName: string; title?: string; tz?: string }>;
  everyone: Array<{ id: string; name: string; realName: string; isBot: boolean }>;
  conversations: Conversation[];
  modals: View[];
  home: View | null;
  /** The app's shortcuts: in a message's ⋯ menu, and the composer's shortcuts menu. */
  shortcuts: Array<{ type: "message" | "global"; callbackId: string; name: string }>;
}

export type Surface =
  | { kind: "message"; channel: string; ts: string }
  | { kind: "view"; viewId: string };

async function post(what: string, body: Json): Promise<Json> {
  const res = await fetch(`/sandbox/api/${what}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Json;
  if (!res.ok) throw new Error(String(json.error ?? res.status));
  return json;
}

export const api = {
  state: async (user: string): Promise<Snapshot> => {
    const res = await fetch(`/sandbox/api/state?user=${encodeURIComponent(user)}`);
    if (!res.ok) throw new Error(`state: ${res.status}`);
    return (await res.json()) as Snapshot;
  },
  command: (user: string, channel: string, text: string) =>
    post("command", { user, channel, text }),
  say: (user: string, channel: string, text: string, threadTs?: string) =>
    post("say", { user, channel, text, threadTs }),
  /** A click; `values` is what the person entered on that surface, sent along as Slack does. */
  click: (
    user: string,
    surface: Surface,
    blockId: string,
    actionId: string,
    values: Values,
    optionValue?: string,
  ) => post("click", { user, surface, blockId, actionId, optionValue, values }),
  check: (
    user: string,
    channel: string,
    ts: string,
    blockId: string,
    actionId: string,
    values: string[],
  ) => post("check", { user, channel, ts, blockId, actionId, values }),
  suggest: async (
    user: string,
    viewId: string,
    blockId: string,
    actionId: string,
    value: string,
    values: Values,
  ) =>
    ((await post("suggest", { user, viewId, blockId, actionId, value, values })).options ??
      []) as Json[],
  choose: (
    user: string,
    viewId: string,
    blockId: string,
    actionId: string,
    option: Json,
    values: Values,
  ) => post("choose", { user, viewId, blockId, actionId, option, values }),
  submit: (user: string, viewId: string, values: Values) =>
    post("submit", { user, viewId, values }),
  close: (user: string, viewId: string, values: Values) => post("close", { user, viewId, values }),
  home: (user: string) => post("home", { user }),
  read: (user: string, channel: string, ts: string) => post("read", { user, channel, ts }),
  messageShortcut: (user: string, channel: string, ts: string, callbackId: string) =>
    post("message-shortcut", { user, channel, ts, callbackId }),
  globalShortcut: (user: string, callbackId: string) =>
    post("global-shortcut", { user, callbackId }),
};
