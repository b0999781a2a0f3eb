// Connecting to PostgreSQL: client settings, what to say when the server cannot be used, and
// the migrations, applied once however many instances start at the same moment.
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { projectPath } from "../../paths.ts";
import { LOCK_NS } from "./locks.ts";

const MIGRATIONS = projectPath("db/migrations-pg");

/** Settings of every connection Keyward opens. */
export function clientConfig(url: string): pg.ClientConfig {
  return {
    connectionString: url,
    connectionTimeoutMillis: 5000,
    keepAlive: true,
    application_name: "keyward",
    // A use case is milliseconds of SQL; anything far longer is stuck, not busy.
    statement_timeout: 15_000,
    idle_in_transaction_session_timeout: 60_000,
  };
}

/** Where a URL points, without its user name or password. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || "localhost"}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "(an unparsable URL)";
  }
}

export class DatabaseUnavailable extends Error {}

/** A start-up failure to connect, said so that the variable to fix is named. */
export function explainConnectError(e: unknown, url: string): Error {
  if (e instanceof DatabaseUnavailable) return e;
  const err = e as { code?: string; message?: string; errors?: Array<{ message?: string }> };
  const why =
    err.code === "ECONNREFUSED"
      ? "connection refused (is the server running, and is this its port?)"
      : err.code === "ENOTFOUND" || err.code === "EAI_AGAIN"
        ? "no such host"
        : err.message || err.errors?.[0]?.message || err.code || String(e);
  return new DatabaseUnavailable(
    `DATABASE_URL: could not use PostgreSQL at ${describeUrl(url)}: ${why}`,
  );
}

/**
 * Applies pending migrations under an advisory lock: instances starting together queue on
 * it, the first applies, the others find nothing left to do. Ending the session releases the
 * lock, also when the process dies mid-way (and the migration's transaction rolls back).
 */
export async function migrateOnce(url: string): Promise<void> {
  // No statement timeout: waiting for another instance's migration is a statement.
  const client = new pg.Client({ ...clientConfig(url), statement_timeout: undefined });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (e) {
    throw explainConnectError(e, url);
  }
  try {
    await client.query("select pg_advisory_lock($1, hashtext('migrations'))", [LOCK_NS]);
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS });
  } finally {
    await client.end();
  }
}
