// The sandbox keeps its Slack side (people, conversations, messages, what each person has
// read) in a JSON file next to its database, so a second start shows the DMs of the first.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { SlackFile, Workspace } from "./standin/workspace.ts";

interface Saved {
  conversations: Array<{
    id: string;
    name: string;
    isIm: boolean;
    user?: string;
    members: string[];
  }>;
  messages: Workspace["messages"];
  /** How far each person has read each conversation ("user|channel" → ts). */
  lastRead?: Array<[string, string]>;
  /** Files shared in messages (an audit export's CSV), their bytes in base64. */
  files?: Array<Omit<SlackFile, "bytes"> & { base64: string }>;
}

export function loadWorkspace(ws: Workspace, file: string): boolean {
  if (!existsSync(file)) return false;
  const saved = JSON.parse(readFileSync(file, "utf8")) as Saved;
  for (const c of saved.conversations)
    ws.conversations.set(c.id, { ...c, members: new Set(c.members) });
  ws.restore(saved.messages.filter((m) => !m.ephemeralFor));
  for (const [key, ts] of saved.lastRead ?? []) ws.lastRead.set(key, ts);
  for (const { base64, ...f } of saved.files ?? [])
    ws.files.set(f.id, { ...f, bytes: Buffer.from(base64, "base64") });
  return true;
}

function saveWorkspace(ws: Workspace, file: string): void {
  const saved: Saved = {
    conversations: [...ws.conversations.values()].map((c) => ({ ...c, members: [...c.members] })),
    // Ephemeral replies are gone after a reload in Slack too.
    messages: ws.messages.filter((m) => !m.ephemeralFor && !m.deleted),
    lastRead: [...ws.lastRead],
    files: [...ws.files.values()]
      .filter((f) => f.state === "shared" && f.bytes)
      .map(({ bytes, ...f }) => ({ ...f, base64: (bytes as Buffer).toString("base64") })),
  };
  writeFileSync(`${file}.tmp`, JSON.stringify(saved));
  renameSync(`${file}.tmp`, file);
}

/** Saves a moment after each change (and once more on stop). */
export function autosave(ws: Workspace, file: string): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const onChange = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      saveWorkspace(ws, file);
    }, 300);
  };
  ws.on("change", onChange);
  return {
    stop() {
      ws.off("change", onChange);
      clearTimeout(timer);
      saveWorkspace(ws, file);
    },
  };
}
