import type { Store } from "../../src/store/index.ts";

/** Raw rows, for assertions about what was written (read-only; no writes behind the domain). */
export function rows<T = Record<string, unknown>>(
  store: Store,
  sql: string,
  ...params: unknown[]
): T[] {
  return store.writer.sqlite.prepare(sql).all(...params) as T[];
}

export function auditActions(store: Store): string[] {
  return rows<{ action: string }>(store, "select action from audit_events order by id").map(
    (r) => r.action,
  );
}

export interface NoticeJson {
  type: string;
  title?: string;
  changes?: string[];
  [k: string]: unknown;
}

export function outboxNotices(
  store: Store,
): Array<{ recipient: string; kind: string; notice: NoticeJson }> {
  return rows<{ recipient: string; kind: string; payload: string }>(
    store,
    "select recipient, kind, payload from outbox order by id",
  ).map((r) => ({ recipient: r.recipient, kind: r.kind, notice: JSON.parse(r.payload) }));
}
