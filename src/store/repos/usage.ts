// Usage counts on SQLite: read by the domain (days, checks, each grant's last use), added in
// batches by the usage recorder and pruned by age, each with statements prepared once.
import { and, asc, eq, gte, inArray, lt, max, sql, sum } from "drizzle-orm";
import { apiKeys, grantDailyUsage, grants, keyDailyUsage, nicknames } from "../../../db/schema.ts";
import { ALL_ACCOUNTS, type ApiId } from "../../domain/catalog.ts";
import type { UsageRepo } from "../../domain/ports.ts";
import type { GrantUse } from "../../domain/usage/types.ts";
import type { Db } from "../db.ts";
import type { UsageLog } from "../types.ts";
import { idsIn } from "./ids-in.ts";

const arg = <T>(name: string) => sql<T>`${sql.placeholder(name)}`;

/** Each grant of the keys in `ids` with its last day of use since `fromDay`. */
function grantUseStatement(db: Db) {
  const scope = sql<string>`coalesce(${nicknames.nickname}, ${ALL_ACCOUNTS})`;
  return db
    .select({
      keyId: grants.keyId,
      scope,
      api: grants.api,
      createdAt: grants.createdAt,
      expiresAt: grants.expiresAt,
      // A seek on the primary key (key, grant, day).
      lastDay: sql<number | null>`(select max(${grantDailyUsage.day}) from ${grantDailyUsage}
        where ${grantDailyUsage.keyId} = ${grants.keyId} and ${grantDailyUsage.grantScope} = ${scope}
          and ${grantDailyUsage.grantApi} = ${grants.api} and ${grantDailyUsage.day} >= ${arg<number>("fromDay")})`,
    })
    .from(grants)
    .leftJoin(nicknames, eq(nicknames.id, grants.nicknameId))
    .where(idsIn(grants.keyId))
    .orderBy(grants.id)
    .prepare();
}

export function usageRepo(db: Db): UsageRepo {
  // Prepared when the store opens (see keys.ts).
  const grantUseOf = grantUseStatement(db);
  return {
    async days(keyId, fromDay) {
      return db
        .select({
          day: keyDailyUsage.day,
          calls: keyDailyUsage.calls,
          refused: keyDailyUsage.refused,
        })
        .from(keyDailyUsage)
        .where(and(eq(keyDailyUsage.keyId, keyId), gte(keyDailyUsage.day, fromDay)))
        .orderBy(asc(keyDailyUsage.day))
        .all();
    },
    async checks(keyId, fromDay) {
      return db
        .select({
          nickname: grantDailyUsage.nickname,
          api: grantDailyUsage.api,
          grantScope: grantDailyUsage.grantScope,
          grantApi: grantDailyUsage.grantApi,
          calls: sum(grantDailyUsage.calls).mapWith(Number),
          lastDay: max(grantDailyUsage.day),
        })
        .from(grantDailyUsage)
        .where(and(eq(grantDailyUsage.keyId, keyId), gte(grantDailyUsage.day, fromDay)))
        .groupBy(
          grantDailyUsage.nickname,
          grantDailyUsage.api,
          grantDailyUsage.grantScope,
          grantDailyUsage.grantApi,
        )
        .all()
        .map((r) => ({
          nickname: r.nickname,
          api: r.api as ApiId,
          grant: { scope: r.grantScope, api: r.grantApi as ApiId },
          calls: r.calls,
          lastDay: r.lastDay ?? fromDay,
        }));
    },
    async grantUse(keyIds, fromDay) {
      const out = new Map<number, GrantUse[]>();
      if (keyIds.length === 0) return out;
      // The digest asks for every page of keys: prepared once, any number of ids.
      for (const r of grantUseOf.all({ ids: JSON.stringify(keyIds), fromDay })) {
        const list = out.get(r.keyId) ?? [];
        list.push({
          scope: r.scope,
          api: r.api as ApiId,
          grantedAt: new Date(r.createdAt),
          expiresAt: r.expiresAt === null ? null : new Date(r.expiresAt),
          lastUsedDay: r.lastDay,
        });
        out.set(r.keyId, list);
      }
      return out;
    },
  };
}

export function usageLog(db: Db): UsageLog {
  // Prepared when the store opens (see keys.ts).
  const s = statements(db);
  return {
    async add(rows) {
      for (const r of rows) {
        if (r.kind === "key") s.addKeyDay.run(r);
        else s.addCheck.run(r);
      }
    },
    async pruneBefore(day, limit) {
      const n = s.pruneChecks.run({ day, limit }).changes;
      if (n >= limit) return n;
      return n + s.pruneKeyDays.run({ day, limit: limit - n }).changes;
    },
  };
}

/** Prepared once per connection: a batch runs them once per row. */
function statements(db: Db) {
  // Selected from api_keys: the counts of a key deleted since are dropped, not refused.
  const addKeyDay = db
    .insert(keyDailyUsage)
    .select(
      db
        .select({
          keyId: apiKeys.id,
          day: arg<number>("day").as("day"),
          calls: arg<number>("calls").as("calls"),
          refused: arg<number>("refused").as("refused"),
        })
        .from(apiKeys)
        .where(eq(apiKeys.id, sql.placeholder("keyId"))),
    )
    .onConflictDoUpdate({
      target: [keyDailyUsage.keyId, keyDailyUsage.day],
      set: {
        calls: sql`${keyDailyUsage.calls} + excluded.calls`,
        refused: sql`${keyDailyUsage.refused} + excluded.refused`,
      },
    })
    .prepare();
  const addCheck = db
    .insert(grantDailyUsage)
    .select(
      db
        .select({
          keyId: apiKeys.id,
          grantScope: arg<string>("grantScope").as("grant_scope"),
          grantApi: arg<string>("grantApi").as("grant_api"),
          day: arg<number>("day").as("day"),
          nickname: arg<string>("nickname").as("nickname"),
          api: arg<string>("api").as("api"),
          calls: arg<number>("calls").as("calls"),
        })
        .from(apiKeys)
        .where(eq(apiKeys.id, sql.placeholder("keyId"))),
    )
    .onConflictDoUpdate({
      target: [
        grantDailyUsage.keyId,
        grantDailyUsage.grantScope,
        grantDailyUsage.grantApi,
        grantDailyUsage.day,
        grantDailyUsage.nickname,
        grantDailyUsage.api,
      ],
      set: { calls: sql`${grantDailyUsage.calls} + excluded.calls` },
    })
    .prepare();
  const oldest = (t: typeof keyDailyUsage | typeof grantDailyUsage) =>
    db
      .select({ rowid: sql`rowid` })
      .from(t)
      .where(lt(t.day, sql.placeholder("day")))
      .limit(sql.placeholder("limit"));
  const pruneKeyDays = db
    .delete(keyDailyUsage)
    .where(inArray(sql`rowid`, oldest(keyDailyUsage)))
    .prepare();
  const pruneChecks = db
    .delete(grantDailyUsage)
    .where(inArray(sql`rowid`, oldest(grantDailyUsage)))
    .prepare();
  return { addKeyDay, addCheck, pruneKeyDays, pruneChecks };
}
