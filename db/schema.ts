// Keyward's tables (SQLite). Times are Unix milliseconds in INTEGER columns so that every
// comparison in SQL is a plain integer comparison. db/schema.pg.ts is the same schema for
// PostgreSQL; test/store/schema.test.ts keeps the two from drifting.
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const nicknames = sqliteTable("nicknames", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  nickname: text("nickname").notNull().unique(),
  kind: text("kind", { enum: ["seller", "affiliate", "both"] }).notNull(),
  createdAt: integer("created_at").notNull(),
  createdBy: text("created_by").notNull(),
});

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    // The first 8 characters after `kw_` of every secret this key has had: stable across
    // regeneration, so lists, logs and leak reports can name the key.
    publicId: text("public_id").notNull().unique(),
    name: text("name").notNull(),
    keyOwner: text("key_owner").notNull(),
    status: text("status", { enum: ["active", "disabled"] }).notNull(),
    // SHA-256 (hex) of the current secret; NULL until a reveal-once key is revealed.
    secretHash: text("secret_hash").unique(),
    createdAt: integer("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    updatedAt: integer("updated_at").notNull(),
    updatedBy: text("updated_by").notNull(),
    regeneratedAt: integer("regenerated_at"),
    lastUsedAt: integer("last_used_at"),
    expiresAt: integer("expires_at"),
    version: integer("version").notNull().default(1),
    // A new secret waiting for the key owner to reveal it (it is made only then): who asked
    // for it, and when. NULL when nothing is waiting.
    handoverBy: text("handover_by"),
    handoverAt: integer("handover_at"),
  },
  (t) => [uniqueIndex("api_keys_name_nocase").on(sql`lower(${t.name})`)],
);

// Secrets a key had before a regeneration: valid until `validUntil` (a grace window), then
// kept so the verifier can say "rotated" instead of "unknown_key".
export const retiredSecrets = sqliteTable(
  "retired_secrets",
  {
    secretHash: text("secret_hash").primaryKey(),
    keyId: integer("key_id")
      .notNull()
      .references(() => apiKeys.id, { onDelete: "cascade" }),
    retiredAt: integer("retired_at").notNull(),
    validUntil: integer("valid_until").notNull(),
    reason: text("reason", { enum: ["regenerated", "rotated"] }).notNull(),
  },
  (t) => [index("retired_secrets_key").on(t.keyId)],
);

export const grants = sqliteTable(
  "grants",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    keyId: integer("key_id")
      .notNull()
      .references(() => apiKeys.id, { onDelete: "cascade" }),
    // NULL means All accounts: every nickname that may hold the API, including later ones.
    nicknameId: integer("nickname_id").references(() => nicknames.id, { onDelete: "cascade" }),
    api: text("api").notNull(),
    expiresAt: integer("expires_at"),
    createdAt: integer("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    requestId: integer("request_id"),
  },
  // A unique index over (key_id, ifnull(nickname_id, 0), api) lives in the hand-written
  // migration 0001: drizzle-kit splits an expression with a comma into broken columns.
  (t) => [index("grants_key").on(t.keyId), index("grants_expiry").on(t.expiresAt)],
);

// People with a role beyond member. Everyone else in the workspace is a member.
export const roles = sqliteTable("roles", {
  userId: text("user_id").primaryKey(),
  role: text("role", { enum: ["owner", "oncall"] }).notNull(),
  addedAt: integer("added_at").notNull(),
  addedBy: text("added_by").notNull(),
});

export const accessRequests = sqliteTable(
  "access_requests",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requester: text("requester").notNull(),
    keyId: integer("key_id").references(() => apiKeys.id, { onDelete: "set null" }),
    // For a request on an existing key, the key's name at request time (kept if it is deleted).
    keyName: text("key_name").notNull(),
    newKey: integer("new_key", { mode: "boolean" }).notNull(),
    // JSON array of {nickname: string | "*", api}
    cells: text("cells").notNull(),
    duration: text("duration").notNull(),
    reason: text("reason").notNull(),
    status: text("status", {
      enum: ["pending", "approved", "denied", "expired", "cancelled"],
    }).notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    remindedAt: integer("reminded_at"),
    decidedBy: text("decided_by"),
    decidedAt: integer("decided_at"),
    decisionReason: text("decision_reason"),
    approvedCells: text("approved_cells"),
    // The decision as it was made: when the approved grants end (NULL: permanent), and JSON of
    // what was asked but not granted, each with why ({nickname, api, why}).
    grantsExpireAt: integer("grants_expire_at"),
    notGranted: text("not_granted"),
    // New-key requests: whether the secret has been generated and shown once.
    revealedAt: integer("revealed_at"),
  },
  (t) => [index("access_requests_status").on(t.status), index("access_requests_key").on(t.keyId)],
);

// Append-only (triggers in the migrations refuse UPDATE and DELETE).
export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    keyId: integer("key_id"),
    keyName: text("key_name"),
    keyPublicId: text("key_public_id"),
    requestId: integer("request_id"),
    subject: text("subject"),
    reason: text("reason"),
    // JSON: { before?: unknown, after?: unknown, changes?: string[] }
    diff: text("diff"),
  },
  (t) => [index("audit_events_key").on(t.keyId, t.id), index("audit_events_at").on(t.at)],
);

// Notifications to deliver, written in the same transaction as the change they report.
export const outbox = sqliteTable(
  "outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    createdAt: integer("created_at").notNull(),
    // dm: a new message to a user; card_update: re-render every delivered card of a request;
    // thread: a reply in a channel thread.
    kind: text("kind", { enum: ["dm", "card_update", "thread"] }).notNull(),
    recipient: text("recipient").notNull(),
    threadTs: text("thread_ts"),
    // JSON notice: what happened, rendered into Block Kit by the delivery worker.
    payload: text("payload").notNull(),
    requestId: integer("request_id"),
    status: text("status", { enum: ["pending", "sending", "sent", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    // Consecutive refusals that would be final (user gone, channel gone): believed at 3.
    refusals: integer("refusals").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    claimedAt: integer("claimed_at"),
    // The store instance that claimed the row (sending): only it settles the row, and another
    // instance takes the row over only once that instance is gone.
    claimedBy: text("claimed_by"),
    lastError: text("last_error"),
    sentAt: integer("sent_at"),
    channel: text("channel"),
    ts: text("ts"),
  },
  (t) => [
    index("outbox_due").on(t.status, t.nextAttemptAt),
    index("outbox_request").on(t.requestId),
  ],
);

// Slack request signatures already accepted: refuses replays inside Slack's 5-minute window,
// across restarts too.
export const seenSignatures = sqliteTable(
  "seen_signatures",
  {
    signature: text("signature").primaryKey(),
    seenAt: integer("seen_at").notNull(),
  },
  (t) => [index("seen_signatures_at").on(t.seenAt)],
);

// Modal submissions already applied (by view id), so a replayed submission applies once.
export const appliedSubmissions = sqliteTable("applied_submissions", {
  viewId: text("view_id").primaryKey(),
  appliedAt: integer("applied_at").notNull(),
});

// When each periodic job last ran (the weekly digest), so a restart does not resend it.
export const jobRuns = sqliteTable("job_runs", {
  name: text("name").primaryKey(),
  lastRunAt: integer("last_run_at").notNull(),
});
