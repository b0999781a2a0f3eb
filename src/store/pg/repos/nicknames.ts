import { eq } from "drizzle-orm";
import { nicknames } from "../../../../db/schema.pg.ts";
import type { NicknameRepo } from "../../../domain/ports.ts";
import { toNickname } from "../../rows.ts";
import type { PgDb } from "../unit-of-work.ts";
import { byteOrder } from "./order.ts";

export function nicknameRepo(db: PgDb): NicknameRepo {
  return {
    async list() {
      return (await db.select().from(nicknames).orderBy(byteOrder(nicknames.nickname))).map(
        toNickname,
      );
    },
    async byName(nickname) {
      const [row] = await db.select().from(nicknames).where(eq(nicknames.nickname, nickname));
      return row && toNickname(row);
    },
    async insert(n) {
      const [row] = await db
        .insert(nicknames)
        .values({ nickname: n.nickname, kind: n.kind, createdAt: n.at, createdBy: n.by })
        .returning();
      if (!row) throw new Error("insert into nicknames returned no row");
      return toNickname(row);
    },
    async delete(id) {
      await db.delete(nicknames).where(eq(nicknames.id, id));
    },
  };
}
