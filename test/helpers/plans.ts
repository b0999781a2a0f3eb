import type Database from "better-sqlite3";

/**
 * Every distinct statement `work` prepares on this connection, in the order first prepared,
 * with SQLite's plan for it (EXPLAIN QUERY PLAN, its lines joined by " | ").
 */
export async function statementPlans(
  db: Database.Database,
  work: () => Promise<unknown>,
): Promise<Array<{ sql: string; plan: string }>> {
  const seen = new Set<string>();
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    seen.add(source);
    return prepare(source);
  }) as typeof db.prepare;
  try {
    await work();
  } finally {
    db.prepare = prepare;
  }
  return [...seen]
    .filter((sql) => /^\s*(select|insert|update|delete|with)\b/i.test(sql))
    .map((sql) => ({
      sql,
      // Plans do not depend on the values bound (no statistics are kept): bind nulls.
      plan: (
        db
          .prepare(`explain query plan ${sql}`)
          .all(...Array((sql.match(/\?/g) ?? []).length).fill(null)) as Array<{ detail: string }>
      )
        .map((r) => r.detail)
        .join(" | "),
    }));
}
