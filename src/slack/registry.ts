// Every listener Keyward registers with Bolt, recorded as it is registered, so the
// authorization matrix can hold each one to a row (a listener added without one fails it).
import type { App } from "@slack/bolt";

export type ListenerKind = "command" | "action" | "view" | "options" | "shortcut" | "event";

export interface ListenerRecord {
  kind: ListenerKind;
  /** The command, action_id, callback_id or event type; a RegExp as written (`/^x:/`). */
  id: string;
}

const KINDS: Record<string, ListenerKind> = {
  command: "command",
  action: "action",
  view: "view",
  options: "options",
  shortcut: "shortcut",
  event: "event",
  message: "event",
};

/** How a Bolt constraint is named in the record. */
export function listenerId(method: string, constraint: unknown): string {
  if (method === "message") return "message";
  if (typeof constraint === "string") return constraint;
  if (constraint instanceof RegExp) return String(constraint);
  if (constraint && typeof constraint === "object") {
    const c = constraint as Record<string, unknown>;
    const named = c.action_id ?? c.callback_id ?? c.block_id ?? c.type;
    if (named !== undefined) return listenerId(method, named);
  }
  return "(any)";
}

/**
 * The App, with its listener-registering methods recording what they are given. Listeners
 * are registered on this and reach Bolt unchanged.
 */
export function recordingApp(app: App): { app: App; listeners: ListenerRecord[] } {
  const listeners: ListenerRecord[] = [];
  const proxy = new Proxy(app, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      const kind = typeof prop === "string" ? KINDS[prop] : undefined;
      if (!kind || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        listeners.push({ kind, id: listenerId(prop as string, args[0]) });
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { app: proxy, listeners };
}
