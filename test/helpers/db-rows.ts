import type { SqliteStore, Store } from "../../src/store/index.ts";

/** Raw rows of a SQLite store (read-only; no writes behind the domain). */
export function rows<T = Record<string, unknown>>(
  store: SqliteStore | Store,
  sql: string,
  ...params: unknown[]
): T[] {
  if (store.backend !== "sqlite") throw new Error("rows() reads SQLite; use query()");
  return store.writer.sqlite.prepare(sql).all(...params) as T[];
}

/** SQLite's form of a PostgreSQL value: times as ms, JSON as text, flags as 0/1. */
function asSqlite(v: unknown): unknown {
  if (v instanceof Date) return v.getTime();
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v !== null && typeof v === "object") return JSON.stringify(v);
  return v;
}

/**
 * Raw rows of either backend, in SQLite's representation so one assertion fits both. The SQL
 * must be plain enough for both dialects; `?` placeholders.
 */
export async function query<T = Record<string, unknown>>(
  store: Store,
  sql: string,
  ...params: unknown[]
): Promise<T[]> {
  if (store.backend === "sqlite") return rows<T>(store, sql, ...params);
  let n = 0;
  const text = sql.replace(/\?/g, () => `$${++n}`);
  const r = await store.pool.query(text, params);
  return r.rows.map(
    (row: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, asSqlite(v)])) as T,
  );
}

export async function auditActions(store: Store): Promise<string[]> {
  return (
    await query<{ action: string }>(store, "select action from audit_events order by id")
  ).map((r) => r.action);
}

export interface NoticeJson {
  type: string;
  title?: string;
  changes?: string[];
  [k: string]: unknown;
}

export async function outboxNotices(
  store: Store,
): Promise<Array<{ recipient: string; kind: string; notice: NoticeJson }>> {
  return (
    await query<{ recipient: string; kind: string; payload: string }>(
      store,
      "select recipient, kind, payload from outbox order by id",
    )
  ).map((r) => ({ recipient: r.recipient, kind: r.kind, notice: JSON.parse(r.payload) }));
}
