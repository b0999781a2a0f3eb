import { asc, eq } from "drizzle-orm";
import { nicknames } from "../../../db/schema.ts";
import type { NicknameRepo } from "../../domain/ports.ts";
import type { Db } from "../db.ts";
import { toNickname } from "../rows.ts";

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
        .values({ nickname: n.nickname, kind: n.kind, createdAt: n.at, createdBy: n.by })
        .returning()
        .get();
      return toNickname(row);
    },
    async delete(id) {
      db.delete(nicknames).where(eq(nicknames.id, id)).run();
    },
  };
}
