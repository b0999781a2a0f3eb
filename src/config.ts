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

const fields = z.object({
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
  // GET /v1/audit; its own token, so a service that verifies keys cannot read the audit log.
  AUDIT_API_TOKEN: optional(z.string().min(16, "must be at least 16 characters")),
  ONCALL_USERGROUP_ID: optional(
    z.string().regex(/^S[A-Z0-9]+$/, "must be a user group id like S0123ABCD"),
  ),
  // The approval policy: different account owners' approvals a request adding a write API
  // needs (1: one, as any other), and hours a request waits before on-call hear (0: never).
  WRITE_APPROVALS: z.coerce
    .number({ error: "must be a whole number of approvals, 1 to 10" })
    .int("must be a whole number of approvals, 1 to 10")
    .min(1, "must be at least 1 (1: one approval, as for any other request)")
    .max(10, "can be at most 10")
    .default(2),
  ESCALATE_AFTER_HOURS: z.coerce
    .number({ error: "must be a whole number of hours (0: never)" })
    .int("must be a whole number of hours (0: never)")
    .min(0, "must be 0 (never) or more hours")
    .max(24 * 7, "can be at most 168 (7 days; an undecided request lapses then)")
    .default(24),
  // When set, every key must expire, at most this many days after its expiry is set.
  MAX_KEY_LIFETIME_DAYS: optional(
    z.coerce
      .number("must be a whole number of days")
      .int("must be a whole number of days")
      .min(1, "must be at least 1 day")
      .max(3650, "must be at most 3650 days"),
  ),
  // Set: /readyz fails when a due notification has waited longer than this. Unset: the
  // outbox's age is only reported (at 120 s), since the outbox is shared by every instance.
  READYZ_OUTBOX_MAX_SECONDS: optional(
    z.coerce.number().int("must be a whole number of seconds").min(1, "must be at least 1 second"),
  ),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
});

export const configSchema = fields.refine(
  (c) => !c.AUDIT_API_TOKEN || c.AUDIT_API_TOKEN !== c.VERIFY_API_TOKEN,
  { path: ["AUDIT_API_TOKEN"], message: "must differ from VERIFY_API_TOKEN" },
);

export type Config = z.infer<typeof configSchema>;

export type Mode = "socket" | "http" | "sandbox";

/** The mode a configuration with Slack credentials runs in. */
export function modeOf(c: Config): Mode {
  if (c.SLACK_APP_TOKEN) return "socket";
  if (c.SLACK_BOT_TOKEN) return "http";
  return "sandbox";
}

export class ConfigError extends Error {}

/** Every environment variable Keyward reads. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(fields.shape);
const KNOWN = CONFIG_VARIABLES;

/**
 * Variables that say "this is meant to run against Slack, with real data": any SLACK_…,
 * owner or database variable, misspelled ones included. With one of them set, Keyward never
 * falls back to the sandbox.
 */
function productionVariables(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env)
    .filter((k) => env[k] !== undefined && env[k] !== "")
    .filter(
      (k) =>
        k.startsWith("SLACK_") ||
        k.startsWith("OWNER") ||
        k.startsWith("DATABASE_") ||
        k === "ONCALL_USERGROUP_ID",
    )
    .sort();
}

const squash = (name: string) => name.replace(/_/g, "");

/** "SLACK_BOTTOKEN: not a variable Keyward reads (SLACK_BOT_TOKEN?)" for near misses. */
function unknownLines(names: string[]): string[] {
  return names
    .filter((n) => !KNOWN.includes(n))
    .map((n) => {
      const near = KNOWN.find((k) => squash(k) === squash(n));
      return `  ${n}: not a variable Keyward reads${near ? ` (did you mean ${near}?)` : ""}`;
    });
}

export interface Startup {
  config: Config;
  mode: Mode;
}

/**
 * Parses the environment (and `.env` if present) and picks the mode; throws a ConfigError
 * naming each problem (names only: a value, which may be a secret, is never repeated).
 * The sandbox runs when asked (`npm run sandbox`), or when nothing says Slack is meant.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  envFile = ".env",
  o: { sandbox?: boolean } = {},
): Startup {
  if (env === process.env && existsSync(envFile)) process.loadEnvFile(envFile);
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Keyward's configuration is not valid:\n${lines.join("\n")}`);
  }
  const c = parsed.data;
  if (o.sandbox) return { config: c, mode: "sandbox" };
  const meant = productionVariables(env);
  if (!c.SLACK_BOT_TOKEN && !c.SLACK_APP_TOKEN) {
    if (meant.length === 0) return { config: c, mode: "sandbox" };
    const missing = ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "OWNER_USER_IDS"].filter(
      (k) => !meant.includes(k),
    );
    throw new ConfigError(
      [
        `Keyward's configuration is not valid: ${meant.join(", ")} ${meant.length === 1 ? "is" : "are"} set, so Keyward is meant to run against Slack, but`,
        ...missing.map((k) => `  ${k}: missing`),
        ...unknownLines(meant),
        "To try Keyward without Slack, unset those or run `npm run sandbox`.",
      ].join("\n"),
    );
  }
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
    const all = [...problems, ...unknownLines(meant)];
    throw new ConfigError(`Keyward's configuration is not valid:\n${all.join("\n")}`);
  }
  return { config: c, mode: modeOf(c) };
}
