// What the outbox carries: facts about a change, rendered into Slack messages only at delivery.
// A notice never holds a secret (the only place a secret exists is the modal that shows it).
import type { AuditAction, GrantCell } from "./types.ts";

export interface KeyRef {
  id: number;
  name: string;
  publicId: string;
}

/** Something changed; `changes` are readable lines ("+ Products API on acme"). */
export interface ChangeNotice {
  type: "change";
  title: string;
  actor: string;
  key: KeyRef | null;
  changes: string[];
  reason: string | null;
  urgent: boolean;
  incidentLink: string | null;
  /** Lines suggesting what the recipient can do next, e.g. how to re-enable. */
  hint: string | null;
  /**
   * The key owner of a secret hand-over: their copy carries Reveal new secret (older notices
   * have no such field).
   */
  revealFor?: string | null;
}

/** An owner's Approve/Deny card; rendered from the request's current state at delivery. */
export interface RequestCardNotice {
  type: "request_card";
  requestId: number;
}

/** The requester hears the outcome; rendered from the request's state at delivery. */
export interface RequestOutcomeNotice {
  type: "request_outcome";
  requestId: number;
}

/** An approval was recorded and another is needed: the requester hears who approved. */
export interface RequestProgressNotice {
  type: "request_progress";
  requestId: number;
}

/**
 * A request waited too long: on-call hear of it, with the account owners who were asked.
 * Rendered from the request's state at delivery (who approved meanwhile, or that it was decided).
 */
export interface RequestEscalationNotice {
  type: "request_escalation";
  requestId: number;
  /** The account owners it waits for (owners, less the requester and who approved). */
  asked: string[];
  /** How long it had waited, in hours, when escalated. */
  hours: number;
}

export interface RequestReminderNotice {
  type: "request_reminder";
  requestIds: number[];
}

export interface GrantExpiredNotice {
  type: "grant_expired";
  key: KeyRef;
  cells: GrantCell[];
  requestId: number | null;
}

/**
 * A key, or a request's time-bound grants, expires soon: to the key owner and the owners, or
 * to the requester. Extend and Let it expire carry the subject and the date reminded of.
 */
export interface ExpiryReminderNotice {
  type: "expiry_reminder";
  subject: "key" | "grants";
  key: KeyRef;
  /** For grants: the request that granted them, and what ends. */
  requestId: number | null;
  cells: GrantCell[];
  /** ISO 8601. */
  expiresAt: string;
  stage: "7d" | "1d";
}

export interface LeakFinding {
  publicId: string;
  key: KeyRef | null;
  /** live: it works now (or in a grace window); old: a retired secret; unknown: no such key. */
  state: "live" | "old" | "unknown";
}

/** A key-shaped string with a valid checksum was posted in a channel. Never holds the string. */
export interface LeakNotice {
  type: "leak";
  findings: LeakFinding[];
  channel: string;
  messageTs: string;
  poster: string;
  /** The reply in the thread (seen by everyone there) rather than a DM. */
  inThread: boolean;
  /** A link to the message (chat.getPermalink), when Slack gave one. */
  permalink?: string | null;
  /** Who used the Report leaked key shortcut on it; absent when the bot found it itself. */
  reportedBy?: string;
  /** A direct message between people (reported): no channel to name. */
  conversation?: "dm";
}

export interface DigestNotice {
  type: "digest";
  sections: DigestSection[];
  generatedAt: string;
}

export interface DigestSection {
  title: string;
  items: DigestItem[];
}

export interface DigestItem {
  text: string;
  /** A button: which action, on which key or request. */
  action: DigestAction | null;
}

export type DigestAction =
  | { label: string; kind: "key"; id: number; verb: "disable" | "edit" }
  | { label: string; kind: "request"; id: number; verb: "review" }
  /** Remove unused grants: the key's version and the suggestion's window, checked on click. */
  | { label: string; kind: "unused_grants"; id: number; version: number; since: number }
  /** Give a key the longest expiry the lifetime policy allows: the key's version, checked. */
  | { label: string; kind: "lifetime"; id: number; version: number; days: number };
/** An audit query in a notice: JSON, so times are ISO 8601 strings. */
export interface StoredAuditQuery {
  key?: { ids: number[]; ref: string };
  actor?: string;
  actions?: AuditAction[];
  since?: string;
  until?: string;
}

/**
 * A CSV of audit events for the person who asked, as a file in their DM. The events are read
 * at delivery: those of `query` with ids from `fromId` through `throughId` — exactly the ones
 * matched when it was asked, as the log is append-only and ids grow in commit order.
 */
export interface AuditExportNotice {
  type: "audit_export";
  query: StoredAuditQuery;
  fromId: number;
  throughId: number;
  count: number;
  /** More matched than one export holds: the file has the newest `count`. */
  truncated: boolean;
  /** The filter in words (domain text). */
  description: string;
  filename: string;
}

/** An audit export that could not be delivered: told to whoever asked for it. */
export interface AuditExportFailedNotice {
  type: "audit_export_failed";
  count: number;
  /** The filter in words (domain text). */
  description: string;
  /**
   * They may no longer read the audit log; Slack would not take the file; or Keyward gave up
   * on a file Slack may have shared all the same (it could not tell).
   */
  reason: "not_allowed" | "slack" | "unconfirmed";
}

export type Notice =
  | AuditExportNotice
  | AuditExportFailedNotice
  | ChangeNotice
  | RequestCardNotice
  | RequestOutcomeNotice
  | RequestProgressNotice
  | RequestEscalationNotice
  | RequestReminderNotice
  | GrantExpiredNotice
  | ExpiryReminderNotice
  | LeakNotice
  | DigestNotice;

export type OutboxKind = "dm" | "card_update" | "thread";

export interface OutgoingNotice {
  kind: OutboxKind;
  /** A user id for DMs; a channel id for threads; for card updates, unused. */
  recipient: string;
  threadTs?: string;
  requestId?: number;
  notice: Notice;
}
