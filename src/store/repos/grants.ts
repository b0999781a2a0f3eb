import { and, eq, isNotNull, isNull, lte, type SQL } from "drizzle-orm";
import { grants, nicknames } from "../../../db/schema.ts";
import { ALL_ACCOUNTS } from "../../domain/catalog.ts";
import type { GrantRepo } from "../../domain/ports.ts";
import type { Grant, GrantCell } from "../../domain/types.ts";
import type { Db } from "../db.ts";
import { toGrant } from "../rows.ts";
import { idsIn } from "./ids-in.ts";

const columns = {
  keyId: grants.keyId,
  api: grants.api,
  expiresAt: grants.expiresAt,
  requestId: grants.requestId,
  nickname: nicknames.nickname,
};

export function grantRepo(db: Db): GrantRepo {
  // Prepared when the store opens (see keys.ts).
  const ofKeys = db
    .select(columns)
    .from(grants)
    .leftJoin(nicknames, eq(nicknames.id, grants.nicknameId))
    .where(idsIn(grants.keyId))
    .orderBy(grants.id)
    .prepare();
  const select = (where: SQL | undefined) =>
    db
      .select(columns)
      .from(grants)
      .leftJoin(nicknames, eq(nicknames.id, grants.nicknameId))
      .where(where)
      .orderBy(grants.id)
      .all();

  const nicknameId = (scope: string): number | null => {
    if (scope === ALL_ACCOUNTS) return null;
    const row = db
      .select({ id: nicknames.id })
      .from(nicknames)
      .where(eq(nicknames.nickname, scope))
      .get();
    if (!row) throw new Error(`nickname ${scope} vanished inside a transaction`);
    return row.id;
  };

  const cellWhere = (keyId: number, c: GrantCell) => {
    const id = nicknameId(c.scope);
    return and(
      eq(grants.keyId, keyId),
      eq(grants.api, c.api),
      id === null ? isNull(grants.nicknameId) : eq(grants.nicknameId, id),
    );
  };

  return {
    async forKey(keyId) {
      return select(eq(grants.keyId, keyId)).map(toGrant);
    },
    async forKeys(keyIds) {
      const out = new Map<number, Grant[]>();
      if (keyIds.length === 0) return out;
      for (const row of ofKeys.all({ ids: JSON.stringify(keyIds) })) {
        const list = out.get(row.keyId) ?? [];
        list.push(toGrant(row));
        out.set(row.keyId, list);
      }
      return out;
    },
    async add(keyId, list, at, by) {
      for (const g of list) {
        db.insert(grants)
          .values({
            keyId,
            nicknameId: nicknameId(g.scope),
            api: g.api,
            expiresAt: g.expiresAt,
            createdAt: at,
            createdBy: by,
            requestId: g.requestId,
          })
          .run();
      }
    },
    async remove(keyId, cells) {
      for (const c of cells) db.delete(grants).where(cellWhere(keyId, c)).run();
    },
    async keysOnNickname(id) {
      return db
        .select({ keyId: grants.keyId, api: grants.api })
        .from(grants)
        .where(eq(grants.nicknameId, id))
        .all();
    },
    async expiredAt(now) {
      return select(and(isNotNull(grants.expiresAt), lte(grants.expiresAt, now))).map((r) => ({
        keyId: r.keyId,
        grant: toGrant(r),
      }));
    },
  };
}
