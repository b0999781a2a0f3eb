import { asc, eq } from "drizzle-orm";
import { nicknames } from "../../../db/schema.ts";
import type { NicknameRepo } from "../../domain/ports.ts";
import type { Nickname } from "../../domain/types.ts";
import type { Db } from "../db.ts";

type Row = typeof nicknames.$inferSelect;
const toNickname = (r: Row): Nickname => ({
  id: r.id,
  nickname: r.nickname,
  kind: r.kind,
  createdAt: new Date(r.createdAt),
});

export function nicknameRepo(db: Db): NicknameRepo {
  return {
    async list() {
      return db.select().from(nicknames).orderBy(asc(nicknames.nickname)).all().map(toNickname);
    },
    async byName(nickname) {
      const row = db.select().from(nicknames).where(eq(nicknames.nickname, nickname)).get();
      return row && toNickname(row);
    },
    async insert(n) {
      const row = db
        .insert(nicknames)
        .values({ nickname: n.nickname, kind: n.kind, createdAt: n.at.getTime(), createdBy: n.by })
        .returning()
        .get();
      return toNickname(row);
    },
    async delete(id) {
      db.delete(nicknames).where(eq(nicknames.id, id)).run();
    },
  };
}
