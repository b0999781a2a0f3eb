// Rows into the domain's types, for both backends: Drizzle reads either schema's times as
// Date and its JSON as typed values, so a row of db/schema.ts and one of db/schema.pg.ts have
// the same shape and one mapping serves both.
import type { apiKeys, nicknames, outbox } from "../../db/schema.ts";
import { ALL_ACCOUNTS, type ApiId } from "../domain/catalog.ts";
import type { ApiKey, Grant, Nickname } from "../domain/types.ts";
import type { OutboxRow } from "./types.ts";

export const toKey = (r: typeof apiKeys.$inferSelect): ApiKey => ({
  id: r.id,
  publicId: r.publicId,
  name: r.name,
  keyOwner: r.keyOwner,
  status: r.status,
  hasSecret: r.secretHash !== null,
  createdAt: r.createdAt,
  createdBy: r.createdBy,
  updatedAt: r.updatedAt,
  updatedBy: r.updatedBy,
  regeneratedAt: r.regeneratedAt,
  lastUsedAt: r.lastUsedAt,
  expiresAt: r.expiresAt,
  version: r.version,
  handover:
    r.handoverBy !== null && r.handoverAt !== null ? { by: r.handoverBy, at: r.handoverAt } : null,
});

export const toNickname = (r: typeof nicknames.$inferSelect): Nickname => ({
  id: r.id,
  nickname: r.nickname,
  kind: r.kind,
  createdAt: r.createdAt,
});

/** A grant joined with its nickname (none: All accounts). */
export const toGrant = (r: {
  api: ApiId;
  expiresAt: Date | null;
  requestId: number | null;
  nickname: string | null;
}): Grant => ({
  scope: r.nickname ?? ALL_ACCOUNTS,
  api: r.api,
  expiresAt: r.expiresAt,
  requestId: r.requestId,
});

/** The delivery worker counts in Unix milliseconds. */
export const toOutboxRow = (r: typeof outbox.$inferSelect): OutboxRow => ({
  id: r.id,
  kind: r.kind,
  recipient: r.recipient,
  threadTs: r.threadTs,
  requestId: r.requestId,
  notice: r.payload,
  attempts: r.attempts,
  claimedAt: r.claimedAt?.getTime() ?? null,
  createdAt: r.createdAt.getTime(),
  inDoubt: r.inDoubt,
  lastError: r.lastError,
  refusals: r.refusals,
  uploadFileId: r.uploadFileId,
});
