import { and, asc, count, eq, gt, or, type SQL, sql } from "drizzle-orm";
import { apiKeys, retiredSecrets } from "../../../../db/schema.pg.ts";
import type { KeyRepo } from "../../../domain/ports.ts";
import { toKey } from "../../rows.ts";
import type { PgDb } from "../unit-of-work.ts";
import { byteOrder } from "./order.ts";

export function keyRepo(db: PgDb): KeyRepo {
  const one = async (where: SQL) => {
    const [row] = await db.select().from(apiKeys).where(where).limit(1);
    return row && toKey(row);
  };
  return {
    byId: (id) => one(eq(apiKeys.id, id)),
    byName: (name) => one(eq(sql`lower(${apiKeys.name})`, name.toLowerCase())),
    byPublicId: (publicId) => one(eq(apiKeys.publicId, publicId)),
    async currentSecretHash(keyId) {
      const [row] = await db
        .select({ h: apiKeys.secretHash })
        .from(apiKeys)
        .where(eq(apiKeys.id, keyId));
      return row?.h ?? null;
    },
    async list(q) {
      const text = q.text?.trim().toLowerCase();
      const where = and(
        text
          ? or(
              sql`strpos(lower(${apiKeys.name}), ${text}) > 0`,
              sql`strpos(lower(${apiKeys.publicId}), ${text}) > 0`,
            )
          : undefined,
        q.keyOwner ? eq(apiKeys.keyOwner, q.keyOwner) : undefined,
      );
      const rows = await db
        .select()
        .from(apiKeys)
        .where(where)
        .orderBy(byteOrder(sql`lower(${apiKeys.name})`))
        .limit(q.limit)
        .offset(q.offset);
      const [total] = await db.select({ n: count() }).from(apiKeys).where(where);
      return { keys: rows.map(toKey), total: total?.n ?? 0 };
    },
    async all() {
      return (await db.select().from(apiKeys).orderBy(asc(apiKeys.id))).map(toKey);
    },
    async page(afterId, limit) {
      return (
        await db
          .select()
          .from(apiKeys)
          .where(gt(apiKeys.id, afterId))
          .orderBy(asc(apiKeys.id))
          .limit(limit)
      ).map(toKey);
    },
    async ofOwners(owners, limit) {
      if (owners.length === 0) return { count: 0, first: [] };
      // The owners as one array parameter: one statement for any number of them.
      const owned = sql`${apiKeys.keyOwner} = any(${sql.param([...owners])}::text[])`;
      // "order by id + 0": ordered by id itself, the planner may walk the primary key and
      // filter every key (it did when the owners' keys were the newest, or gone); this way the
      // ids come from the owner index and only the first few are sorted.
      const firstIds = sql`select ${apiKeys.id} from ${apiKeys} where ${owned} order by ${apiKeys.id} + 0 limit ${limit}`;
      const first = await db
        .select()
        .from(apiKeys)
        .where(sql`${apiKeys.id} in (${firstIds})`)
        .orderBy(asc(apiKeys.id));
      const [n] = await db.select({ n: count() }).from(apiKeys).where(owned);
      return { count: n?.n ?? 0, first: first.map(toKey) };
    },
    async insert(k) {
      const [row] = await db
        .insert(apiKeys)
        .values({
          publicId: k.publicId,
          name: k.name,
          keyOwner: k.keyOwner,
          status: "active",
          secretHash: k.secretHash,
          createdAt: k.at,
          createdBy: k.by,
          updatedAt: k.at,
          updatedBy: k.by,
          expiresAt: k.expiresAt,
        })
        .returning();
      if (!row) throw new Error("insert into api_keys returned no row");
      return toKey(row);
    },
    async update(id, expectedVersion, patch, at, by) {
      // Compare-and-set: under SERIALIZABLE a concurrent committed change of this row fails
      // the transaction (and it is run again); a stale version simply matches no row.
      const changed = await db
        .update(apiKeys)
        .set({
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.keyOwner !== undefined && { keyOwner: patch.keyOwner }),
          ...(patch.status !== undefined && { status: patch.status }),
          ...(patch.secretHash !== undefined && { secretHash: patch.secretHash }),
          ...(patch.regeneratedAt !== undefined && { regeneratedAt: patch.regeneratedAt }),
          ...(patch.expiresAt !== undefined && { expiresAt: patch.expiresAt }),
          ...(patch.handover !== undefined && {
            handoverBy: patch.handover?.by ?? null,
            handoverAt: patch.handover?.at ?? null,
          }),
          updatedAt: at,
          updatedBy: by,
          version: sql`${apiKeys.version} + 1`,
        })
        .where(and(eq(apiKeys.id, id), eq(apiKeys.version, expectedVersion)))
        .returning({ id: apiKeys.id });
      return changed.length === 1;
    },
    async delete(id) {
      await db.delete(apiKeys).where(eq(apiKeys.id, id));
    },
    async retireSecret(r) {
      await db.insert(retiredSecrets).values({
        secretHash: r.secretHash,
        keyId: r.keyId,
        retiredAt: r.at,
        validUntil: r.validUntil,
        reason: r.reason,
      });
    },
    async retiredSecret(hash) {
      const [row] = await db
        .select()
        .from(retiredSecrets)
        .where(eq(retiredSecrets.secretHash, hash));
      return row ? { keyId: row.keyId, validUntil: row.validUntil } : undefined;
    },
    async endGraceWindows(keyId, at) {
      await db
        .update(retiredSecrets)
        .set({ validUntil: at })
        .where(and(eq(retiredSecrets.keyId, keyId), gt(retiredSecrets.validUntil, at)));
    },
    async touchLastUsed(uses) {
      if (uses.size === 0) return;
      // One statement per batch; never moves last_used_at backwards (instances flush the
      // same keys, and a flush can overlap a restart's).
      const ids = [...uses.keys()];
      const ats = [...uses.values()].map((d) => d.toISOString());
      await db.execute(sql`
        update ${apiKeys} set last_used_at = u.at
        from unnest(${sql.param(ids)}::int[], ${sql.param(ats)}::timestamptz[]) as u(id, at)
        where ${apiKeys.id} = u.id
          and (${apiKeys.lastUsedAt} is null or ${apiKeys.lastUsedAt} < u.at)`);
    },
  };
}
