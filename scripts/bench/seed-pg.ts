// Copies a database seeded by seed.ts (SQLite) into a new PostgreSQL database, so that both
// backends answer the same keys, secrets and grants in one benchmark run.
import Database from "better-sqlite3";
import pg from "pg";
import { openPgStore } from "../../src/store/pg/index.ts";

const TABLES = ["roles", "nicknames", "api_keys", "grants"];
const ROWS_PER_INSERT = 1000;

/** Creates database `name` on the server at `serverUrl`, migrates it, copies the seeded tables. */
export async function copyToPostgres(
  sqlitePath: string,
  serverUrl: string,
  name: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const store = await openPgStore(url, { poolSize: 1 });
  await store.close();
  const from = new Database(sqlitePath, { readonly: true });
  const to = new pg.Client({ connectionString: url });
  await to.connect();
  try {
    await to.query("begin");
    for (const table of TABLES) {
      const rows = from.prepare(`select * from ${table}`).all() as Array<Record<string, unknown>>;
      const first = rows[0];
      if (!first) continue;
      const cols = Object.keys(first);
      const value = (c: string, v: unknown) =>
        v !== null && (c.endsWith("_at") || c === "valid_until") ? new Date(Number(v)) : v;
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        const chunk = rows.slice(i, i + ROWS_PER_INSERT);
        const params: unknown[] = [];
        const tuples = chunk.map(
          (r) => `(${cols.map((c) => `$${params.push(value(c, r[c]))}`).join(", ")})`,
        );
        await to.query(
          `insert into ${table} (${cols.map((c) => `"${c}"`).join(", ")})${cols.includes("id") ? " overriding system value" : ""} values ${tuples.join(", ")}`,
          params,
        );
      }
      // Keep identity sequences past the copied ids.
      if (cols.includes("id")) {
        await to.query(
          `select setval(pg_get_serial_sequence('${table}', 'id'), (select max(id) from ${table}))`,
        );
      }
    }
    await to.query("commit");
    // Statistics, as autovacuum would gather them on a live database.
    await to.query("analyze");
  } finally {
    from.close();
    await to.end();
  }
  return {
    url,
    async drop() {
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}
