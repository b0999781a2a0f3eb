// Which mode the environment starts, and what a wrong one is told.
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
