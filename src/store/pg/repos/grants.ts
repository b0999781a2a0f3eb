import { and, eq, inArray, isNotNull, isNull, lte, type SQL, sql } from "drizzle-orm";
import { grants, nicknames } from "../../../../db/schema.pg.ts";
import { ALL_ACCOUNTS } from "../../../domain/catalog.ts";
import type { GrantRepo } from "../../../domain/ports.ts";
import type { Grant, GrantCell } from "../../../domain/types.ts";
import { toGrant } from "../../rows.ts";
import type { PgDb } from "../unit-of-work.ts";

const columns = {
  keyId: grants.keyId,
  api: grants.api,
  expiresAt: grants.expiresAt,
  requestId: grants.requestId,
  nickname: nicknames.nickname,
};
export function grantRepo(db: PgDb): GrantRepo {
  const select = (where: SQL | undefined) =>
    db
      .select(columns)
      .from(grants)
      .leftJoin(nicknames, eq(nicknames.id, grants.nicknameId))
      .where(where)
      .orderBy(grants.id);

  /** Nickname ids of these scopes (null for All accounts), in one query. */
  const nicknameIds = async (scopes: string[]): Promise<Map<string, number | null>> => {
    const out = new Map<string, number | null>([[ALL_ACCOUNTS, null]]);
    const names = [...new Set(scopes.filter((s) => s !== ALL_ACCOUNTS))];
    if (names.length) {
      for (const r of await db
        .select({ id: nicknames.id, nickname: nicknames.nickname })
        .from(nicknames)
        .where(inArray(nicknames.nickname, names))) {
        out.set(r.nickname, r.id);
      }
    }
    for (const s of scopes) {
      if (!out.has(s)) throw new Error(`nickname ${s} vanished inside a transaction`);
    }
    return out;
  };

  return {
    async forKey(keyId) {
      return (await select(eq(grants.keyId, keyId))).map(toGrant);
    },
    async forKeys(keyIds) {
      const out = new Map<number, Grant[]>();
      if (keyIds.length === 0) return out;
      // One array parameter, however many keys: a list of placeholders stops at 65,535.
      for (const row of await select(sql`${grants.keyId} = any(${sql.param(keyIds)}::int[])`)) {
        const list = out.get(row.keyId) ?? [];
        list.push(toGrant(row));
        out.set(row.keyId, list);
      }
      return out;
    },
    async add(keyId, list, at, by) {
      if (list.length === 0) return;
      const ids = await nicknameIds(list.map((g) => g.scope));
      await db.insert(grants).values(
        list.map((g) => ({
          keyId,
          nicknameId: ids.get(g.scope) ?? null,
          api: g.api,
          expiresAt: g.expiresAt,
          createdAt: at,
          createdBy: by,
          requestId: g.requestId,
        })),
      );
    },
    async remove(keyId, cells) {
      if (cells.length === 0) return;
      const ids = await nicknameIds(cells.map((c) => c.scope));
      for (const c of cells as GrantCell[]) {
        const id = ids.get(c.scope) ?? null;
        await db
          .delete(grants)
          .where(
            and(
              eq(grants.keyId, keyId),
              eq(grants.api, c.api),
              id === null ? isNull(grants.nicknameId) : eq(grants.nicknameId, id),
            ),
          );
      }
    },
    async keysOnNickname(id) {
      return await db
        .select({ keyId: grants.keyId, api: grants.api })
        .from(grants)
        .where(eq(grants.nicknameId, id));
    },
    async expiredAt(now) {
      return (await select(and(isNotNull(grants.expiresAt), lte(grants.expiresAt, now)))).map(
        (r) => ({ keyId: r.keyId, grant: toGrant(r) }),
      );
    },
  };
}
