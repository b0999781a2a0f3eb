// Usage counts on PostgreSQL: read by the domain, added in batches by every instance's usage
// recorder (one set-based upsert per table and batch, so instances add to the same rows
// without losing counts), pruned by age.
import { and, asc, eq, gte, max, sql, sum } from "drizzle-orm";
import { grantDailyUsage, grants, keyDailyUsage, nicknames } from "../../../../db/schema.pg.ts";
import { ALL_ACCOUNTS, type ApiId } from "../../../domain/catalog.ts";
import type { UsageRepo } from "../../../domain/ports.ts";
import type { GrantUse } from "../../../domain/usage/types.ts";
import type { UsageLog, UsageRow } from "../../types.ts";
import type { PgDb } from "../unit-of-work.ts";

export function usageRepo(db: PgDb): UsageRepo {
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
        .orderBy(asc(keyDailyUsage.day));
    },
    async checks(keyId, fromDay) {
      const rows = await db
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
        );
      return rows.map((r) => ({
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
      const scope = sql<string>`coalesce(${nicknames.nickname}, ${ALL_ACCOUNTS})`;
      const rows = await db
        .select({
          keyId: grants.keyId,
          scope,
          api: grants.api,
          createdAt: grants.createdAt,
          expiresAt: grants.expiresAt,
          // An index seek on the primary key (key, grant, day).
          lastDay: sql<number | null>`(select max(u.day) from ${grantDailyUsage} u
            where u.key_id = ${grants.keyId} and u.grant_scope = ${scope}
              and u.grant_api = ${grants.api} and u.day >= ${fromDay})`,
        })
        .from(grants)
        .leftJoin(nicknames, eq(nicknames.id, grants.nicknameId))
        // One array parameter, however many keys (the digest asks for all of them).
        .where(sql`${grants.keyId} = any(${sql.param(keyIds)}::int[])`)
        .orderBy(grants.id);
      for (const r of rows) {
        const list = out.get(r.keyId) ?? [];
        list.push({
          scope: r.scope,
          api: r.api as ApiId,
          grantedAt: r.createdAt,
          expiresAt: r.expiresAt,
          lastUsedDay: r.lastDay,
        });
        out.set(r.keyId, list);
      }
      return out;
    },
  };
}

export function usageLog(db: PgDb): UsageLog {
  return {
    async add(rows) {
      const keyDays: Array<Extract<UsageRow, { kind: "key" }>> = [];
      const checks: Array<Extract<UsageRow, { kind: "check" }>> = [];
      for (const r of rows) {
        if (r.kind === "key") keyDays.push(r);
        else checks.push(r);
      }
      // Rows in key order, so that instances adding to the same rows lock them in one order.
      // Joined to api_keys: the counts of a key deleted since are dropped, not refused.
      if (keyDays.length) {
        await db.execute(sql`
          insert into ${keyDailyUsage} (key_id, day, calls, refused)
          select u.key_id, u.day, u.calls, u.refused
          from unnest(${sql.param(keyDays.map((r) => r.keyId))}::int[],
                      ${sql.param(keyDays.map((r) => r.day))}::int[],
                      ${sql.param(keyDays.map((r) => r.calls))}::bigint[],
                      ${sql.param(keyDays.map((r) => r.refused))}::bigint[])
               as u(key_id, day, calls, refused)
          where exists (select 1 from api_keys k where k.id = u.key_id)
          order by u.key_id, u.day
          on conflict (key_id, day) do update
            set calls = ${keyDailyUsage}.calls + excluded.calls,
                refused = ${keyDailyUsage}.refused + excluded.refused`);
      }
      if (checks.length) {
        await db.execute(sql`
          insert into ${grantDailyUsage} (key_id, grant_scope, grant_api, day, nickname, api, calls)
          select u.key_id, u.grant_scope, u.grant_api, u.day, u.nickname, u.api, u.calls
          from unnest(${sql.param(checks.map((r) => r.keyId))}::int[],
                      ${sql.param(checks.map((r) => r.grantScope))}::text[],
                      ${sql.param(checks.map((r) => r.grantApi))}::text[],
                      ${sql.param(checks.map((r) => r.day))}::int[],
                      ${sql.param(checks.map((r) => r.nickname))}::text[],
                      ${sql.param(checks.map((r) => r.api))}::text[],
                      ${sql.param(checks.map((r) => r.calls))}::bigint[])
               as u(key_id, grant_scope, grant_api, day, nickname, api, calls)
          where exists (select 1 from api_keys k where k.id = u.key_id)
          order by u.key_id, u.grant_scope, u.grant_api, u.day, u.nickname, u.api
          on conflict (key_id, grant_scope, grant_api, day, nickname, api) do update
            set calls = ${grantDailyUsage}.calls + excluded.calls`);
      }
    },
    async pruneBefore(day, limit) {
      const prune = async (table: typeof keyDailyUsage | typeof grantDailyUsage, n: number) => {
        const r = await db.execute(sql`
          delete from ${table} where ctid in
            (select ctid from ${table} where day < ${day} limit ${n})`);
        return r.rowCount ?? 0;
      };
      const n = await prune(grantDailyUsage, limit);
      if (n >= limit) return n;
      return n + (await prune(keyDailyUsage, limit - n));
    },
  };
}
