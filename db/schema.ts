// Keyward's tables (SQLite). Times are Unix milliseconds in INTEGER columns so that every
// comparison in SQL is a plain integer comparison; JSON is TEXT. Drizzle reads them as Date and
// as the typed value. db/schema.pg.ts is the same schema for PostgreSQL;
// test/store/schema.test.ts keeps the two from drifting. What each table and column means:
// docs/design.md#data-model.
import { sql } from "drizzle-orm";
import {
  customType,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import type { ApiId } from "../src/domain/catalog.ts";
import type { Notice } from "../src/domain/notices.ts";
import type {
  Approval,
  AuditAction,
  AuditDiff,
  GrantCell,
  NotGranted,
  RequestDuration,
} from "../src/domain/types.ts";

const time = (name: string) => integer(name, { mode: "timestamp_ms" });
const json = <T>(name: string) => text(name, { mode: "json" }).$type<T>();
// Owners' approvals of a request: JSON TEXT, their times as ISO strings, read back as Dates.
const approvals = customType<{ data: Approval[]; driverData: string }>({
  dataType: () => "text",
  toDriver: (v) => JSON.stringify(v),
  fromDriver: (v) =>
    (JSON.parse(v) as Array<Omit<Approval, "at"> & { at: string }>).map((a) => ({
      ...a,
      at: new Date(a.at),
    })),
});

export const nicknames = sqliteTable("nicknames", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  nickname: text("nickname").notNull().unique(),
  kind: text("kind", { enum: ["seller", "affiliate", "both"] }).notNull(),
  createdAt: time("created_at").notNull(),
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
    createdAt: time("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    updatedAt: time("updated_at").notNull(),
    updatedBy: text("updated_by").notNull(),
    regeneratedAt: time("regenerated_at"),
    lastUsedAt: time("last_used_at"),
    expiresAt: time("expires_at"),
    version: integer("version").notNull().default(1),
    // A new secret waiting for the key owner to reveal it (it is made only then): who asked
    // for it, and when. NULL when nothing is waiting.
    handoverBy: text("handover_by"),
    handoverAt: time("handover_at"),
  },
  (t) => [
    uniqueIndex("api_keys_name_nocase").on(sql`lower(${t.name})`),
    // The expiry reminders job asks every 30 s for the keys expiring within 7 days: without
    // this it read every key to find them (a full scan, 20–70 ms on the event loop at 100,000).
    index("api_keys_expiry").on(t.expiresAt),
    // The digest counts and lists the keys of owners who left the workspace, and a member's
    // key list filters by owner: without this both read every key.
    index("api_keys_owner").on(t.keyOwner),
  ],
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
    retiredAt: time("retired_at").notNull(),
    validUntil: time("valid_until").notNull(),
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
    api: text("api").$type<ApiId>().notNull(),
    expiresAt: time("expires_at"),
    createdAt: time("created_at").notNull(),
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
  addedAt: time("added_at").notNull(),
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
    // The (nickname or All accounts, API) pairs asked for.
    cells: json<GrantCell[]>("cells").notNull(),
    duration: text("duration").$type<RequestDuration>().notNull(),
    reason: text("reason").notNull(),
    status: text("status", {
      enum: ["pending", "approved", "denied", "expired", "cancelled"],
    }).notNull(),
    createdAt: time("created_at").notNull(),
    expiresAt: time("expires_at").notNull(),
    remindedAt: time("reminded_at"),
    decidedBy: text("decided_by"),
    decidedAt: time("decided_at"),
    decisionReason: text("decision_reason"),
    approvedCells: json<GrantCell[]>("approved_cells"),
    // The decision as it was made: when the approved grants end (NULL: permanent), and what was
    // asked but not granted, each with why.
    grantsExpireAt: time("grants_expire_at"),
    notGranted: json<NotGranted[]>("not_granted"),
    // New-key requests: whether the secret has been generated and shown once.
    revealedAt: time("revealed_at"),
    // Each owner's approval (who, when, what they left ticked) while more are needed, and
    // those that made the decision; a request adding a write API needs two (WRITE_APPROVALS).
    approvals: approvals("approvals").notNull().default(sql`'[]'`),
    // When on-call were told the request had waited too long (ESCALATE_AFTER_HOURS); once.
    escalatedAt: time("escalated_at"),
  },
  (t) => [index("access_requests_status").on(t.status), index("access_requests_key").on(t.keyId)],
);

// Append-only (triggers in the migrations refuse UPDATE and DELETE).
export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: time("at").notNull(),
    actor: text("actor").notNull(),
    action: text("action").$type<AuditAction>().notNull(),
    keyId: integer("key_id"),
    keyName: text("key_name"),
    keyPublicId: text("key_public_id"),
    requestId: integer("request_id"),
    subject: text("subject"),
    reason: text("reason"),
    // { before?, after?, changes?: string[] }
    diff: json<AuditDiff>("diff"),
  },
  // Searches by key (its id, or the name or public id an event recorded), actor, action and
  // time, newest first; the audit API reads by id alone (the primary key).
  (t) => [
    index("audit_events_key").on(t.keyId, t.id),
    index("audit_events_at").on(t.at),
    index("audit_events_actor").on(t.actor, t.id),
    index("audit_events_action").on(t.action, t.id),
    index("audit_events_key_name").on(sql`lower(${t.keyName})`),
    index("audit_events_key_public_id").on(t.keyPublicId),
  ],
);

// Notifications to deliver, written in the same transaction as the change they report.
export const outbox = sqliteTable(
  "outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    createdAt: time("created_at").notNull(),
    // dm: a new message to a user; card_update: re-render every delivered card of a request;
    // thread: a reply in a channel thread.
    kind: text("kind", { enum: ["dm", "card_update", "thread"] }).notNull(),
    recipient: text("recipient").notNull(),
    threadTs: text("thread_ts"),
    // The notice: what happened, rendered into Block Kit by the delivery worker.
    payload: json<Notice>("payload").notNull(),
    requestId: integer("request_id"),
    status: text("status", { enum: ["pending", "sending", "sent", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    // Consecutive refusals that would be final (user gone, channel gone): believed at 3.
    refusals: integer("refusals").notNull().default(0),
    nextAttemptAt: time("next_attempt_at").notNull(),
    claimedAt: time("claimed_at"),
    // The store instance that claimed the row (sending): only it settles the row, and another
    // instance takes the row over only once that instance is gone.
    claimedBy: text("claimed_by"),
    // The last attempt may have reached Slack (no trustworthy answer, or a crash mid-call): the
    // next one first looks for the message in the conversation, by the outbox id it carries.
    inDoubt: integer("in_doubt", { mode: "boolean" }).notNull().default(false),
    // Why the last attempt failed, for people reading the table.
    lastError: text("last_error"),
    sentAt: time("sent_at"),
    channel: text("channel"),
    ts: text("ts"),
    // An audit export's file once its bytes are uploaded: from then on, sharing it may have
    // been asked of Slack, so a retry completes this same file (which Slack shares at most
    // once) instead of uploading a second one.
    uploadFileId: text("upload_file_id"),
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
    seenAt: time("seen_at").notNull(),
  },
  (t) => [index("seen_signatures_at").on(t.seenAt)],
);

// Modal submissions already applied (by view id), so a replayed submission applies once.
export const appliedSubmissions = sqliteTable("applied_submissions", {
  viewId: text("view_id").primaryKey(),
  appliedAt: time("applied_at").notNull(),
});

// When each periodic job last ran (the weekly digest), so a restart does not resend it.
export const jobRuns = sqliteTable("job_runs", {
  name: text("name").primaryKey(),
  lastRunAt: time("last_run_at").notNull(),
});

// Expiry reminders already sent, and choices to let an expiry pass, per key or per request's
// time-bound grants (`subject_id`: the key id, or the request id) and per expiry date: written
// in the transaction that queues the DMs, so each is sent once across restarts and instances;
// a new expiry date starts afresh. `stage`: 7d or 1d (a reminder), let_expire (no more
// reminders for that date), set (when grants were extended to that date).
export const expiryReminders = sqliteTable(
  "expiry_reminders",
  {
    subject: text("subject", { enum: ["key", "grants"] }).notNull(),
    subjectId: integer("subject_id").notNull(),
    expiresAt: time("expires_at").notNull(),
    stage: text("stage", { enum: ["7d", "1d", "let_expire", "set"] }).notNull(),
    at: time("at").notNull(),
    by: text("by").notNull(),
  },
  (t) => [primaryKey({ columns: [t.subject, t.subjectId, t.expiresAt, t.stage] })],
);

// Verifications of each key per UTC day (`day`: days since 1970-01-01), counted in memory by
// the verification API and added in batches: every answer for the valid key, and how many of
// its checks were refused. Rows older than the retention (src/domain/usage/unused.ts) are
// pruned.
export const keyDailyUsage = sqliteTable(
  "key_daily_usage",
  {
    keyId: integer("key_id")
      .notNull()
      .references(() => apiKeys.id, { onDelete: "cascade" }),
    day: integer("day").notNull(),
    calls: integer("calls").notNull(),
    refused: integer("refused").notNull(),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.day] }), index("key_daily_usage_day").on(t.day)],
);

// Allowed checks per key, day, the (nickname, API) asked and the grant they were counted
// against (`grant_scope`: a nickname, or `*` for All accounts): the least powerful grant that
// allows the check, so a grant without rows could go without refusing any check seen.
export const grantDailyUsage = sqliteTable(
  "grant_daily_usage",
  {
    keyId: integer("key_id")
      .notNull()
      .references(() => apiKeys.id, { onDelete: "cascade" }),
    grantScope: text("grant_scope").notNull(),
    grantApi: text("grant_api").notNull(),
    day: integer("day").notNull(),
    nickname: text("nickname").notNull(),
    api: text("api").notNull(),
    calls: integer("calls").notNull(),
  },
  // Key and grant first: "when was this grant last used" is a seek.
  (t) => [
    primaryKey({ columns: [t.keyId, t.grantScope, t.grantApi, t.day, t.nickname, t.api] }),
    index("grant_daily_usage_day").on(t.day),
  ],
);
