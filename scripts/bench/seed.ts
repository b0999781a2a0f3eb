// Bulk seeding for benchmarks: straight inserts in one transaction (the domain's per-change
// audit and notifications would make 100,000 keys take minutes and measure nothing useful).
import { apiKeys, grants, nicknames, roles } from "../../db/schema.ts";
import {
  API_IDS,
  type ApiId,
  mayHold,
  NICKNAME_KINDS,
  type NicknameKind,
} from "../../src/domain/catalog.ts";
import { hashSecret, newPublicId, newSecret } from "../../src/domain/secrets.ts";
import { openDb } from "../../src/store/db.ts";

export interface Seeded {
  /** A sample of keys: a secret, a nickname it may use and one it may not. */
  sample: Array<{
    secret: string;
    name: string;
    publicId: string;
    nickname: string;
    api: string;
    deniedNickname: string;
  }>;
  seconds: number;
}

export async function seedBulk(
  dbPath: string,
  o: {
    keys: number;
    nicknames: number;
    sample: number;
    owners?: string[];
    /** How many people the keys belong to (U0BENCH0, U0BENCH1, ...); one (U0BENCH) by default. */
    keyOwners?: number;
  },
): Promise<Seeded> {
  const started = Date.now();
  const { db, sqlite, close } = openDb(dbPath);
  const now = new Date();
  const nicks: Array<{ id: number; nickname: string; kind: NicknameKind }> = [];
  const sample: Seeded["sample"] = [];
  const every = Math.max(1, Math.floor(o.keys / o.sample));
  sqlite.transaction(() => {
    for (const userId of o.owners ?? []) {
      db.insert(roles).values({ userId, role: "owner", addedAt: now, addedBy: "bench" }).run();
    }
    for (let i = 0; i < o.nicknames; i++) {
      const kind = NICKNAME_KINDS[i % 3] as NicknameKind;
      const row = db
        .insert(nicknames)
        .values({ nickname: `nick${i}`, kind, createdAt: now, createdBy: "bench" })
        .returning()
        .get();
      nicks.push({ id: row.id, nickname: row.nickname, kind });
    }
    for (let i = 0; i < o.keys; i++) {
      const publicId = newPublicId();
      const secret = newSecret(publicId);
      const key = db
        .insert(apiKeys)
        .values({
          publicId,
          name: `key ${i}`,
          keyOwner: o.keyOwners ? `U0BENCH${i % o.keyOwners}` : "U0BENCH",
          status: "active",
          secretHash: hashSecret(secret),
          createdAt: now,
          createdBy: "bench",
          updatedAt: now,
          updatedBy: "bench",
        })
        .returning({ id: apiKeys.id })
        .get();
      // Three grants a key: two nicknames and one All-accounts grant.
      const a = nicks[i % o.nicknames] as (typeof nicks)[number];
      const b = nicks[(i * 7 + 3) % o.nicknames] as (typeof nicks)[number];
      const apiA = API_IDS.filter((x) => mayHold(x, a.kind))[i % 4] ?? "analytics";
      const seen = new Set<string>();
      const cells: Array<{ nicknameId: number | null; api: ApiId }> = [
        { nicknameId: a.id, api: apiA },
        { nicknameId: b.id === a.id ? null : b.id, api: "orders:write" },
        { nicknameId: null, api: "analytics" },
      ];
      for (const g of cells) {
        const k = `${g.nicknameId}|${g.api}`;
        if (seen.has(k)) continue;
        seen.add(k);
        db.insert(grants)
          .values({ keyId: key.id, ...g, createdAt: now, createdBy: "bench" })
          .run();
      }
      if (i % every === 0) {
        sample.push({
          secret,
          name: `key ${i}`,
          publicId,
          nickname: a.nickname,
          api: apiA,
          deniedNickname: nicks[(i + 1) % o.nicknames]?.nickname ?? "",
        });
      }
    }
  })();
  await close();
  return { sample, seconds: (Date.now() - started) / 1000 };
}
