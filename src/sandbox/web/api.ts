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
  state?: Record<string, Record<string, Json>>;
}

export interface View {
  id: string;
  user: string;
  kind: "modal" | "home";
  view: Json & { blocks?: Json[]; title?: Json; submit?: Json; close?: Json };
  values: Record<string, Record<string, Json>>;
  errors: Record<string, string>;
}

export interface Snapshot {
  me: string;
  people: Array<{ id: string; name: string; realName: string; title?: string }>;
  everyone: Array<{ id: string; name: string; realName: string; isBot: boolean }>;
  conversations: Array<{ id: string; name: string; isIm: boolean; messages: Message[] }>;
  modals: View[];
  home: View | null;
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
  state: async (user: string): Promise<Snapshot> =>
    (await fetch(`/sandbox/api/state?user=${user}`)).json(),
  command: (user: string, channel: string, text: string) =>
    post("command", { user, channel, text }),
  say: (user: string, channel: string, text: string, threadTs?: string) =>
    post("say", { user, channel, text, threadTs }),
  click: (
    user: string,
    surface: Surface,
    blockId: string,
    actionId: string,
    optionValue?: string,
  ) => post("click", { user, surface, blockId, actionId, optionValue }),
  check: (
    user: string,
    channel: string,
    ts: string,
    blockId: string,
    actionId: string,
    values: string[],
  ) => post("check", { user, channel, ts, blockId, actionId, values }),
  set: (user: string, viewId: string, blockId: string, actionId: string, value: Json) =>
    post("set", { user, viewId, blockId, actionId, value }),
  suggest: async (user: string, viewId: string, blockId: string, actionId: string, value: string) =>
    ((await post("suggest", { user, viewId, blockId, actionId, value })).options ?? []) as Json[],
  choose: (user: string, viewId: string, blockId: string, actionId: string, option: Json) =>
    post("choose", { user, viewId, blockId, actionId, option }),
  submit: (user: string, viewId: string) => post("submit", { user, viewId }),
  close: (user: string, viewId: string) => post("close", { user, viewId }),
  home: (user: string) => post("home", { user }),
};
