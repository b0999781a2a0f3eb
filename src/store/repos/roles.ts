import { asc, eq } from "drizzle-orm";
import { roles } from "../../../db/schema.ts";
import type { RoleRepo } from "../../domain/ports.ts";
import type { Db } from "../db.ts";

export function roleRepo(db: Db): RoleRepo {
  return {
    async get(userId) {
      return db.select({ role: roles.role }).from(roles).where(eq(roles.userId, userId)).get()
        ?.role;
    },
    async list() {
      return db.select().from(roles).orderBy(asc(roles.role), asc(roles.addedAt)).all();
    },
    async set(userId, role, at, by) {
      db.insert(roles)
        .values({ userId, role, addedAt: at, addedBy: by })
        .onConflictDoUpdate({ target: roles.userId, set: { role, addedAt: at, addedBy: by } })
        .run();
    },
    async remove(userId) {
      db.delete(roles).where(eq(roles.userId, userId)).run();
    },
    async owners() {
      return db
        .select({ userId: roles.userId })
        .from(roles)
        .where(eq(roles.role, "owner"))
        .orderBy(asc(roles.addedAt), asc(roles.userId))
        .all()
        .map((r) => r.userId);
    },
  };
}
