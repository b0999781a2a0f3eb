import { asc, eq } from "drizzle-orm";
import { roles } from "../../../../db/schema.pg.ts";
import type { RoleRepo } from "../../../domain/ports.ts";
import type { PgDb } from "../unit-of-work.ts";
import { byteOrder } from "./order.ts";

export function roleRepo(db: PgDb): RoleRepo {
  return {
    async get(userId) {
      const [row] = await db
        .select({ role: roles.role })
        .from(roles)
        .where(eq(roles.userId, userId));
      return row?.role;
    },
    async list() {
      return db.select().from(roles).orderBy(byteOrder(roles.role), asc(roles.addedAt));
    },
    async set(userId, role, at, by) {
      await db
        .insert(roles)
        .values({ userId, role, addedAt: at, addedBy: by })
        .onConflictDoUpdate({ target: roles.userId, set: { role, addedAt: at, addedBy: by } });
    },
    async remove(userId) {
      await db.delete(roles).where(eq(roles.userId, userId));
    },
    async owners() {
      return (
        await db
          .select({ userId: roles.userId })
          .from(roles)
          .where(eq(roles.role, "owner"))
          .orderBy(asc(roles.addedAt), byteOrder(roles.userId))
      ).map((r) => r.userId);
    },
  };
}
