// The environment, checked once at start: a wrong or missing value stops the process with a
// message that names it.
import { existsSync } from "node:fs";
import { z } from "zod";

const userIds = z
  .string()
  .transform((s) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z.string().regex(/^[UW][A-Z0-9]{2,20}$/, "each must be a Slack user id like U0123ABCD"),
    ),
  );

function isPostgresUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === "postgres:" || u.protocol === "postgresql:") && u.hostname !== "";
  } catch {
    return false;
  }
}

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === "" ? undefined : v), schema.optional());

export const configSchema = z.object({
  SLACK_BOT_TOKEN: optional(z.string().startsWith("xoxb-", "must start with xoxb-")),
  SLACK_SIGNING_SECRET: optional(z.string().min(8, "looks too short for a signing secret")),
  SLACK_APP_TOKEN: optional(z.string().startsWith("xapp-", "must start with xapp-")),
  SLACK_API_URL: optional(z.url("must be a URL like https://slack.com/api/")),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_PATH: z.string().min(1).default("./data/keyward.db"),
  // PostgreSQL instead of SQLite, for several instances on one database.
  DATABASE_URL: optional(
    z
      .string()
      .refine(isPostgresUrl, "must be a URL like postgres://user:password@host:5432/keyward"),
  ),
  OWNER_USER_IDS: userIds.default([]),
  VERIFY_API_TOKEN: optional(z.string().min(16, "must be at least 16 characters")),
  ONCALL_USERGROUP_ID: optional(
    z.string().regex(/^S[A-Z0-9]+$/, "must be a user group id like S0123ABCD"),
  ),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
});

export type Config = z.infer<typeof configSchema>;

export type Mode = "socket" | "http" | "sandbox";

export function modeOf(c: Config): Mode {
  if (c.SLACK_APP_TOKEN) return "socket";
  if (c.SLACK_BOT_TOKEN) return "http";
  return "sandbox";
}

export class ConfigError extends Error {}

/** Parses the environment (and `.env` if present); throws a ConfigError naming each problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, envFile = ".env"): Config {
  if (env === process.env && existsSync(envFile)) process.loadEnvFile(envFile);
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Keyward's configuration is not valid:\n${lines.join("\n")}`);
  }
  const c = parsed.data;
  const problems: string[] = [];
  if (c.SLACK_APP_TOKEN && !c.SLACK_BOT_TOKEN) {
    problems.push("  SLACK_BOT_TOKEN: required with SLACK_APP_TOKEN (Socket Mode)");
  }
  if (modeOf(c) === "http" && !c.SLACK_SIGNING_SECRET) {
    problems.push(
      "  SLACK_SIGNING_SECRET: required in HTTP mode (SLACK_BOT_TOKEN without SLACK_APP_TOKEN)",
    );
  }
  if (modeOf(c) !== "sandbox" && c.OWNER_USER_IDS.length === 0) {
    problems.push(
      "  OWNER_USER_IDS: name at least one first account owner (comma-separated user ids)",
    );
  }
  if (problems.length) {
    throw new ConfigError(`Keyward's configuration is not valid:\n${problems.join("\n")}`);
  }
  return c;
}
