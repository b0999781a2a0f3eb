import { and, asc, count, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import { apiKeys, retiredSecrets } from "../../../db/schema.ts";
import type { KeyRepo } from "../../domain/ports.ts";
import type { Db } from "../db.ts";
import { toKey } from "../rows.ts";
import { idsIn } from "./ids-in.ts";

/**
 * Last use, prepared once: a flush runs it for every key used since the previous one. Its
 * placeholder bypasses the column's Date mapping: it takes Unix milliseconds.
 */
function lastUseStatement(db: Db) {
  const at = sql.placeholder("at");
  return (
    db
      .update(apiKeys)
      .set({ lastUsedAt: sql`${at}` })
      // Never move last_used_at backwards (flushes can overlap with a restart's).
      .where(
        and(
          eq(apiKeys.id, sql.placeholder("id")),
          or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, at)),
        ),
      )
      .prepare()
  );
}

/** A page of keys by id, prepared once: the digest reads a thousand pages in a build. */
function pageStatement(db: Db) {
  return db
    .select()
    .from(apiKeys)
    .where(gt(apiKeys.id, sql.placeholder("after")))
    .orderBy(asc(apiKeys.id))
    .limit(sql.placeholder("limit"))
    .prepare();
}

/**
 * The keys of some owners, prepared once: the first few by id (the ids found in the owner
 * index, then only those rows read) and how many (counted in the index alone).
 */
function ofOwnersStatements(db: Db) {
  const owned = idsIn(apiKeys.keyOwner, "owners");
  const firstIds = sql`select ${apiKeys.id} from ${apiKeys} where ${owned} order by ${apiKeys.id} limit ${sql.placeholder("limit")}`;
  return {
    first: db
      .select()
      .from(apiKeys)
      .where(sql`${apiKeys.id} in (${firstIds})`)
      .orderBy(asc(apiKeys.id))
      .prepare(),
    count: db.select({ n: count() }).from(apiKeys).where(owned).prepare(),
  };
}

export function keyRepo(db: Db): KeyRepo {
  // Prepared when the store opens, not at first use: building one is a few milliseconds of
  // Drizzle on the event loop, which the first flush or digest of a process would pay.
  const touch = lastUseStatement(db);
  const paged = pageStatement(db);
  const owned = ofOwnersStatements(db);
  const one = (where: ReturnType<typeof eq>) => {
    const row = db.select().from(apiKeys).where(where).get();
    return row && toKey(row);
  };
  return {
    async byId(id) {
      return one(eq(apiKeys.id, id));
    },
    async byName(name) {
      // SQLite's lower(), as the unique index uses: it folds ASCII only, unlike JavaScript's.
      return one(eq(sql`lower(${apiKeys.name})`, sql`lower(${name})`));
    },
    async byPublicId(publicId) {
      return one(eq(apiKeys.publicId, publicId));
    },
    async currentSecretHash(keyId) {
      const row = db
        .select({ h: apiKeys.secretHash })
        .from(apiKeys)
        .where(eq(apiKeys.id, keyId))
        .get();
      return row?.h ?? null;
    },
    async list(q) {
      const text = q.text?.trim().toLowerCase();
      const where = and(
        text
          ? or(
              sql`instr(lower(${apiKeys.name}), ${text}) > 0`,
              sql`instr(lower(${apiKeys.publicId}), ${text}) > 0`,
            )
          : undefined,
        q.keyOwner ? eq(apiKeys.keyOwner, q.keyOwner) : undefined,
      );
      const rows = db
        .select()
        .from(apiKeys)
        .where(where)
        .orderBy(asc(sql`lower(${apiKeys.name})`))
        .limit(q.limit)
        .offset(q.offset)
        .all();
      const total = db.select({ n: count() }).from(apiKeys).where(where).get()?.n ?? 0;
      return { keys: rows.map(toKey), total };
    },
    async all() {
      return db.select().from(apiKeys).orderBy(asc(apiKeys.id)).all().map(toKey);
    },
    async page(afterId, limit) {
      return paged.all({ after: afterId, limit }).map(toKey);
    },
    async ofOwners(owners, limit) {
      const json = JSON.stringify(owners);
      return {
        count: owned.count.get({ owners: json })?.n ?? 0,
        first: owned.first.all({ owners: json, limit }).map(toKey),
      };
    },
    async insert(k) {
      const row = db
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
        .returning()
        .get();
      return toKey(row);
    },
    async update(id, expectedVersion, patch, at, by) {
      const result = db
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
        .run();
      return result.changes === 1;
    },
    async delete(id) {
      db.delete(apiKeys).where(eq(apiKeys.id, id)).run();
    },
    async retireSecret(r) {
      db.insert(retiredSecrets)
        .values({
          secretHash: r.secretHash,
          keyId: r.keyId,
          retiredAt: r.at,
          validUntil: r.validUntil,
          reason: r.reason,
        })
        .run();
    },
    async retiredSecret(hash) {
      const row = db.select().from(retiredSecrets).where(eq(retiredSecrets.secretHash, hash)).get();
      return row ? { keyId: row.keyId, validUntil: row.validUntil } : undefined;
    },
    async endGraceWindows(keyId, at) {
      db.update(retiredSecrets)
        .set({ validUntil: at })
        .where(and(eq(retiredSecrets.keyId, keyId), gt(retiredSecrets.validUntil, at)))
        .run();
    },
    async touchLastUsed(uses) {
      for (const [id, at] of uses) touch.run({ id, at: at.getTime() });
    },
  };
}
