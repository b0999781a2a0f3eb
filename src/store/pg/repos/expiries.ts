import { and, eq, gt, isNotNull, lte } from "drizzle-orm";
import { apiKeys, expiryReminders, grants, nicknames } from "../../../../db/schema.pg.ts";
import { ALL_ACCOUNTS } from "../../../domain/catalog.ts";
import type { ExpiryRepo } from "../../../domain/ports.ts";
import type { PgDb } from "../unit-of-work.ts";

export function expiryRepo(db: PgDb): ExpiryRepo {
  return {
    async record(r) {
      const rows = await db
        .insert(expiryReminders)
        .values(r)
        .onConflictDoNothing()
        .returning({ stage: expiryReminders.stage });
      return rows.length === 1;
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
        );
    },
    async keysExpiring(from, until) {
      const rows = await db
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(and(gt(apiKeys.expiresAt, from), lte(apiKeys.expiresAt, until)))
        .orderBy(apiKeys.id);
      return rows.map((r) => r.id);
    },
    async grantsExpiring(from, until) {
      const rows = await db
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
        .orderBy(grants.id);
      return rows.map((r) => ({
        keyId: r.keyId,
        requestId: r.requestId as number,
        scope: r.nickname ?? ALL_ACCOUNTS,
        api: r.api,
        expiresAt: r.expiresAt as Date,
        createdAt: r.createdAt,
      }));
    },
    async moveGrantExpiry(keyId, requestId, from, to) {
      const rows = await db
        .update(grants)
        .set({ expiresAt: to })
        .where(
          and(eq(grants.keyId, keyId), eq(grants.requestId, requestId), eq(grants.expiresAt, from)),
        )
        .returning({ id: grants.id });
      return rows.length;
    },
  };
}
