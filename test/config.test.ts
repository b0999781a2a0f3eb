// Which mode the environment starts, what a wrong one is told, and the storage backend:
// DATABASE_URL selects PostgreSQL, and a wrong or unreachable one stops the process naming it.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";

const SECRET_VALUES = {
  SLACK_SIGNING_SECRET: "signing-secret-value-0123456789",
  VERIFY_API_TOKEN: "verify-token-value-0123456789",
};
const PRODUCTION = {
  SLACK_BOT_TOKEN: "xoxb-1-production-token",
  ...SECRET_VALUES,
  OWNER_USER_IDS: "U0OWNER1",
  DATABASE_PATH: "/var/lib/keyward/keyward.db",
};

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("the configuration was accepted");
}

describe("start-up mode", () => {
  it("runs the sandbox only when no Slack, owner or database variable is set", () => {
    expect(loadConfig({}).mode).toBe("sandbox");
    expect(loadConfig({ PORT: "4000", LOG_LEVEL: "debug" }).mode).toBe("sandbox");
    expect(loadConfig({ VERIFY_API_TOKEN: SECRET_VALUES.VERIFY_API_TOKEN }).mode).toBe("sandbox");
    expect(loadConfig(PRODUCTION).mode).toBe("http");
    expect(loadConfig({ ...PRODUCTION, SLACK_APP_TOKEN: "xapp-1-socket" }).mode).toBe("socket");
  });

  it("refuses a misspelled Slack variable among production ones, naming what is missing", () => {
    const { SLACK_BOT_TOKEN, ...rest } = PRODUCTION;
    const message = refusal({ ...rest, SLACK_BOTTOKEN: SLACK_BOT_TOKEN });
    expect(message).toContain("SLACK_BOT_TOKEN");
    expect(message).toMatch(/SLACK_BOTTOKEN.*SLACK_BOT_TOKEN/);
    expect(message).toContain("npm run sandbox");
    for (const value of [SLACK_BOT_TOKEN, ...Object.values(SECRET_VALUES)])
      expect(message).not.toContain(value);
  });

  it("refuses any one Slack, owner or database variable alone, and names each one missing", () => {
    for (const [name, value] of [
      ["SLACK_SIGNING_SECRET", SECRET_VALUES.SLACK_SIGNING_SECRET],
      ["SLACK_API_URL", "https://slack.example/api/"],
      ["OWNER_USER_IDS", "U0OWNER1"],
      ["DATABASE_PATH", "/tmp/keyward.db"],
      ["DATABASE_URL", "postgres://keyward@db/keyward"],
      ["ONCALL_USERGROUP_ID", "S0ONCALL"],
    ]) {
      const message = refusal({ [name as string]: value as string });
      expect(message, name).toContain(`${name} is set`);
      expect(message, name).toContain("SLACK_BOT_TOKEN");
      expect(message, name).not.toContain(value as string);
    }
    const noOwners = refusal({ SLACK_BOT_TOKEN: PRODUCTION.SLACK_BOT_TOKEN });
    expect(noOwners).toContain("SLACK_SIGNING_SECRET");
    expect(noOwners).toContain("OWNER_USER_IDS");
  });

  it("runs the sandbox when asked explicitly, whatever else is set", () => {
    expect(loadConfig(PRODUCTION, ".env", { sandbox: true }).mode).toBe("sandbox");
  });
});

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
    expect(loadConfig(PRODUCTION, "-").config.DATABASE_URL).toBeUndefined();
    expect(
      loadConfig({ ...PRODUCTION, DATABASE_URL: "" }, "-").config.DATABASE_URL,
    ).toBeUndefined();
    for (const url of ["postgres://u:p@db:5432/keyward", "postgresql://db/keyward?sslmode=require"])
      expect(loadConfig({ ...PRODUCTION, DATABASE_URL: url }, "-").config.DATABASE_URL).toBe(url);
  });

  it("refuses anything else, naming the variable", () => {
    for (const url of ["mysql://db/keyward", "postgres:///keyward", "db:5432", "./keyward.db"])
      expect(() => loadConfig({ ...PRODUCTION, DATABASE_URL: url }, "-")).toThrow(
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

describe("AUDIT_API_TOKEN", () => {
  it("is optional, and its own token: at least 16 characters, not the verification token's", () => {
    expect(loadConfig(PRODUCTION, "-").config.AUDIT_API_TOKEN).toBeUndefined();
    const token = "audit-token-value-0123456789";
    expect(loadConfig({ ...PRODUCTION, AUDIT_API_TOKEN: token }, "-").config.AUDIT_API_TOKEN).toBe(
      token,
    );
    const short = refusal({ ...PRODUCTION, AUDIT_API_TOKEN: "short-token" });
    expect(short).toContain("AUDIT_API_TOKEN: must be at least 16 characters");
    expect(short).not.toContain("short-token");
    const same = refusal({ ...PRODUCTION, AUDIT_API_TOKEN: SECRET_VALUES.VERIFY_API_TOKEN });
    expect(same).toContain("AUDIT_API_TOKEN: must differ from VERIFY_API_TOKEN");
    expect(same).not.toContain(SECRET_VALUES.VERIFY_API_TOKEN);
  });
});

describe("the approval policy", () => {
  it("asks two owners for write access and escalates after 24 hours unless told otherwise", () => {
    const c = loadConfig(PRODUCTION, "-").config;
    expect([c.WRITE_APPROVALS, c.ESCALATE_AFTER_HOURS]).toEqual([2, 24]);
    const set = loadConfig(
      { ...PRODUCTION, WRITE_APPROVALS: "1", ESCALATE_AFTER_HOURS: "0" },
      "-",
    ).config;
    expect([set.WRITE_APPROVALS, set.ESCALATE_AFTER_HOURS]).toEqual([1, 0]);
  });

  it("refuses what is not a count, naming each variable", () => {
    const said = refusal({ ...PRODUCTION, WRITE_APPROVALS: "0", ESCALATE_AFTER_HOURS: "two" });
    expect(said).toContain(
      "WRITE_APPROVALS: must be at least 1 (1: one approval, as for any other request)",
    );
    expect(said).toContain("ESCALATE_AFTER_HOURS: must be a whole number of hours (0: never)");
    expect(refusal({ ...PRODUCTION, WRITE_APPROVALS: "1.5" })).toContain(
      "WRITE_APPROVALS: must be a whole number of approvals, 1 to 10",
    );
  });
});

describe("MAX_KEY_LIFETIME_DAYS", () => {
  it("is optional: a whole number of days from 1 to 3650", () => {
    expect(loadConfig(PRODUCTION, "-").config.MAX_KEY_LIFETIME_DAYS).toBeUndefined();
    expect(
      loadConfig({ ...PRODUCTION, MAX_KEY_LIFETIME_DAYS: "90" }, "-").config.MAX_KEY_LIFETIME_DAYS,
    ).toBe(90);
    for (const bad of ["0", "1.5", "ninety", "4000"])
      expect(refusal({ ...PRODUCTION, MAX_KEY_LIFETIME_DAYS: bad })).toMatch(
        /MAX_KEY_LIFETIME_DAYS: must be (a whole number of days|at least 1 day|at most 3650 days)/,
      );
  });
});

describe("READYZ_OUTBOX_MAX_SECONDS", () => {
  it("is unset by default (the outbox is then only reported) and takes a whole number of seconds", () => {
    expect(loadConfig(PRODUCTION, "-").config.READYZ_OUTBOX_MAX_SECONDS).toBeUndefined();
    // Empty, as an env file leaves it: unset too.
    expect(
      loadConfig({ ...PRODUCTION, READYZ_OUTBOX_MAX_SECONDS: "" }, "-").config
        .READYZ_OUTBOX_MAX_SECONDS,
    ).toBeUndefined();
    expect(
      loadConfig({ ...PRODUCTION, READYZ_OUTBOX_MAX_SECONDS: "300" }, "-").config
        .READYZ_OUTBOX_MAX_SECONDS,
    ).toBe(300);
  });

  it("refuses anything else, naming the variable", () => {
    for (const v of ["0", "1.5", "soon"])
      expect(refusal({ ...PRODUCTION, READYZ_OUTBOX_MAX_SECONDS: v })).toMatch(
        /READYZ_OUTBOX_MAX_SECONDS: /,
      );
  });
});
