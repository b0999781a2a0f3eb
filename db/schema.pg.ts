// Keyward's tables for PostgreSQL: the same tables, columns, names and constraints as
// db/schema.ts (SQLite), with PostgreSQL's own types where they say more: times are
// timestamptz (read as Date), JSON columns are jsonb, flags are boolean.
// test/store/schema.test.ts compares the two as applied, so they cannot drift.
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
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

const time = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
const id = () => integer("id").primaryKey().generatedAlwaysAsIdentity();
// Owners' approvals of a request: jsonb, their times as ISO strings, read back as Dates.
const approvals = customType<{ data: Approval[]; driverData: unknown }>({
  dataType: () => "jsonb",
  toDriver: (v) => JSON.stringify(v),
  fromDriver: (v) =>
    (
      (typeof v === "string" ? JSON.parse(v) : v) as Array<Omit<Approval, "at"> & { at: string }>
    ).map((a) => ({ ...a, at: new Date(a.at) })),
});

export const nicknames = pgTable("nicknames", {
  id: id(),
  nickname: text("nickname").notNull().unique(),
  kind: text("kind", { enum: ["seller", "affiliate", "both"] }).notNull(),
  createdAt: time("created_at").notNull(),
  createdBy: text("created_by").notNull(),
});

export const apiKeys = pgTable(
  "api_keys",
  {
    id: id(),
    // The first 8 characters after `kw_` of every secret this key has had.
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
    // A new secret waiting for the key owner to reveal it (it is made only then).
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

// Secrets a key had before a regeneration: valid until `validUntil`, then kept so the
// verifier can say "rotated" instead of "unknown_key".
export const retiredSecrets = pgTable(
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

export const grants = pgTable(
  "grants",
  {
    id: id(),
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
  // The unique index over (key_id, coalesce(nickname_id, 0), api) is in the hand-written
  // migration 0001, as in SQLite.
  (t) => [index("grants_key").on(t.keyId), index("grants_expiry").on(t.expiresAt)],
);

export const roles = pgTable("roles", {
  userId: text("user_id").primaryKey(),
  role: text("role", { enum: ["owner", "oncall"] }).notNull(),
  addedAt: time("added_at").notNull(),
  addedBy: text("added_by").notNull(),
});

export const accessRequests = pgTable(
  "access_requests",
  {
    id: id(),
    requester: text("requester").notNull(),
    keyId: integer("key_id").references(() => apiKeys.id, { onDelete: "set null" }),
    keyName: text("key_name").notNull(),
    newKey: boolean("new_key").notNull(),
    cells: jsonb("cells").$type<GrantCell[]>().notNull(),
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
    approvedCells: jsonb("approved_cells").$type<GrantCell[]>(),
    // The decision as it was made: when the approved grants end, what was not granted and why.
    grantsExpireAt: time("grants_expire_at"),
    notGranted: jsonb("not_granted").$type<NotGranted[]>(),
    revealedAt: time("revealed_at"),
    approvals: approvals("approvals").notNull().default(sql`'[]'::jsonb`),
    escalatedAt: time("escalated_at"),
  },
  (t) => [index("access_requests_status").on(t.status), index("access_requests_key").on(t.keyId)],
);

// Append-only (PL/pgSQL triggers in the migrations refuse UPDATE, DELETE and TRUNCATE).
export const auditEvents = pgTable(
  "audit_events",
  {
    id: id(),
    at: time("at").notNull(),
    actor: text("actor").notNull(),
    action: text("action").$type<AuditAction>().notNull(),
    keyId: integer("key_id"),
    keyName: text("key_name"),
    keyPublicId: text("key_public_id"),
    requestId: integer("request_id"),
    subject: text("subject"),
    reason: text("reason"),
    diff: jsonb("diff").$type<AuditDiff>(),
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

export const outbox = pgTable(
  "outbox",
  {
    id: id(),
    createdAt: time("created_at").notNull(),
    kind: text("kind", { enum: ["dm", "card_update", "thread"] }).notNull(),
    recipient: text("recipient").notNull(),
    threadTs: text("thread_ts"),
    payload: jsonb("payload").$type<Notice>().notNull(),
    requestId: integer("request_id"),
    status: text("status", { enum: ["pending", "sending", "sent", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    refusals: integer("refusals").notNull().default(0),
    nextAttemptAt: time("next_attempt_at").notNull(),
    claimedAt: time("claimed_at"),
    // The store instance that claimed the row; see db/schema.ts.
    claimedBy: text("claimed_by"),
    // The last attempt may have reached Slack; see db/schema.ts.
    inDoubt: boolean("in_doubt").notNull().default(false),
    lastError: text("last_error"),
    sentAt: time("sent_at"),
    channel: text("channel"),
    ts: text("ts"),
    // An audit export's uploaded file; see db/schema.ts.
    uploadFileId: text("upload_file_id"),
  },
  (t) => [
    index("outbox_due").on(t.status, t.nextAttemptAt),
    index("outbox_request").on(t.requestId),
  ],
);

export const seenSignatures = pgTable(
  "seen_signatures",
  {
    signature: text("signature").primaryKey(),
    seenAt: time("seen_at").notNull(),
  },
  (t) => [index("seen_signatures_at").on(t.seenAt)],
);

export const appliedSubmissions = pgTable("applied_submissions", {
  viewId: text("view_id").primaryKey(),
  appliedAt: time("applied_at").notNull(),
});

export const jobRuns = pgTable("job_runs", {
  name: text("name").primaryKey(),
  lastRunAt: time("last_run_at").notNull(),
});

// Expiry reminders sent and choices to let an expiry pass, once per subject, date and stage.
export const expiryReminders = pgTable(
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

// Verifications of each key per UTC day (`day`: days since 1970-01-01), added in batches.
const count = (name: string) => bigint(name, { mode: "number" });
export const keyDailyUsage = pgTable(
  "key_daily_usage",
  {
    keyId: integer("key_id")
      .notNull()
      .references(() => apiKeys.id, { onDelete: "cascade" }),
    day: integer("day").notNull(),
    calls: count("calls").notNull(),
    refused: count("refused").notNull(),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.day] }), index("key_daily_usage_day").on(t.day)],
);

// Allowed checks per key, day, (nickname, API) asked and the grant they were counted against.
export const grantDailyUsage = pgTable(
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
    calls: count("calls").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.keyId, t.grantScope, t.grantApi, t.day, t.nickname, t.api] }),
    index("grant_daily_usage_day").on(t.day),
  ],
);
