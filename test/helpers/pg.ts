// PostgreSQL for tests: each test file gets its own database on the test server (created on
// first use, dropped after the file), so parallel files and other checkouts never collide.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, inject } from "vitest";

export const postgresUrl = (): string => inject("postgresUrl");
export const hasPostgres = (): boolean => postgresUrl() !== "";

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: postgresUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const created: string[] = [];

/** A new, empty database; dropped after this test file. Returns its URL. */
export async function freshDatabase(): Promise<string> {
  const name = `kwt_${Math.floor(Date.now() / 1000)}_${randomBytes(5).toString("hex")}`;
  await admin((c) => c.query(`create database "${name}"`));
  created.push(name);
  const url = new URL(postgresUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

let fileDb: Promise<string> | undefined;

/** This test file's database. */
export function fileDatabase(): Promise<string> {
  fileDb ??= freshDatabase();
  return fileDb;
}

/** Empties every table (the schema stays), for the next test. */
export async function emptyDatabase(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ t: string }>(
      "select quote_ident(tablename) as t from pg_tables where schemaname = 'public'",
    );
    if (rows.length === 0) return;
    // The audit log refuses TRUNCATE; tests reset it as its owner, inside one transaction.
    await c.query("begin");
    await c.query("alter table audit_events disable trigger audit_events_no_truncate");
    await c.query(`truncate ${rows.map((r) => r.t).join(", ")} restart identity cascade`);
    await c.query("alter table audit_events enable trigger audit_events_no_truncate");
    await c.query("commit");
  } finally {
    await c.end();
  }
}

afterAll(async () => {
  if (created.length === 0) return;
  await admin(async (c) => {
    for (const name of created.splice(0))
      await c.query(`drop database if exists "${name}" with (force)`);
  });
});
