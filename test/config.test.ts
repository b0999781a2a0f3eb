// Configuration of the storage backend: DATABASE_URL selects PostgreSQL, and a wrong or
// unreachable one stops the process with a message naming it.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

/** `npm start` in HTTP mode with this database URL; what it printed and how it ended. */
function start(databaseUrl: string) {
  return spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: root,
    encoding: "utf8",
    timeout: 30_000,
    env: {
      PATH: process.env.PATH,
      SLACK_BOT_TOKEN: "xoxb-test",
      SLACK_SIGNING_SECRET: "test-signing-secret",
      OWNER_USER_IDS: "U0OWNER1",
      DATABASE_URL: databaseUrl,
      PORT: "0",
      HOST: "127.0.0.1",
    },
  });
}

describe("DATABASE_URL", () => {
  it("takes postgres:// and postgresql:// URLs, and leaves SQLite the default", () => {
    expect(loadConfig({}, "-").DATABASE_URL).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: "" }, "-").DATABASE_URL).toBeUndefined();
    for (const url of ["postgres://u:p@db:5432/keyward", "postgresql://db/keyward?sslmode=require"])
      expect(loadConfig({ DATABASE_URL: url }, "-").DATABASE_URL).toBe(url);
  });

  it("refuses anything else, naming the variable", () => {
    for (const url of ["mysql://db/keyward", "postgres:///keyward", "db:5432", "./keyward.db"])
      expect(() => loadConfig({ DATABASE_URL: url }, "-")).toThrow(
        /DATABASE_URL: must be a URL like postgres:\/\//,
      );
  });

  it("stops the process with a message naming it when the URL is wrong or the server is not there", () => {
    const wrong = start("mysql://db/keyward");
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/DATABASE_URL: must be a URL like postgres:\/\//);
    const unreachable = start("postgres://keyward:hunter2@127.0.0.1:1/keyward");
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toContain(
      "DATABASE_URL: could not use PostgreSQL at 127.0.0.1:1/keyward: connection refused",
    );
    expect(unreachable.stderr).not.toContain("hunter2");
  });
});
