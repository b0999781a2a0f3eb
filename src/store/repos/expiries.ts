import { and, eq, gt, isNotNull, lte } from "drizzle-orm";
import { apiKeys, expiryReminders, grants, nicknames } from "../../../db/schema.ts";
import { ALL_ACCOUNTS } from "../../domain/catalog.ts";
import type { ExpiryRepo } from "../../domain/ports.ts";
import type { Db } from "../db.ts";

export function expiryRepo(db: Db): ExpiryRepo {
  return {
    async record(r) {
      return db.insert(expiryReminders).values(r).onConflictDoNothing().run().changes === 1;
    },
    async stages(subject, subjectId, expiresAt) {
      return db
        .select({ stage: expiryReminders.stage, at: expiryReminders.at, by: expiryReminders.by })
        .from(expiryReminders)
        .where(
          and(
            eq(expiryReminders.subject, subject),
            eq(expiryReminders.subjectId, subjectId),
            eq(expiryReminders.expiresAt, expiresAt),
          ),
        )
        .all();
    },
    async keysExpiring(from, until) {
      return db
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(and(gt(apiKeys.expiresAt, from), lte(apiKeys.expiresAt, until)))
        .orderBy(apiKeys.id)
        .all()
        .map((r) => r.id);
    },
    async grantsExpiring(from, until) {
      return db
        .select({
          keyId: grants.keyId,
          requestId: grants.requestId,
          api: grants.api,
          nickname: nicknames.nickname,
          expiresAt: grants.expiresAt,
          createdAt: grants.createdAt,
        })
        .from(grants)
        .leftJoin(nicknames, eq(nicknames.id, grants.nicknameId))
        .where(
          and(
            isNotNull(grants.requestId),
            gt(grants.expiresAt, from),
            lte(grants.expiresAt, until),
          ),
        )
        .orderBy(grants.id)
        .all()
        .map((r) => ({
          keyId: r.keyId,
          requestId: r.requestId as number,
          scope: r.nickname ?? ALL_ACCOUNTS,
          api: r.api,
          expiresAt: r.expiresAt as Date,
          createdAt: r.createdAt,
        }));
    },
    async moveGrantExpiry(keyId, requestId, from, to) {
      return db
        .update(grants)
        .set({ expiresAt: to })
        .where(
          and(eq(grants.keyId, keyId), eq(grants.requestId, requestId), eq(grants.expiresAt, from)),
        )
        .run().changes;
    },
  };
}
