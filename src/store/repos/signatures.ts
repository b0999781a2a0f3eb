import { gte, inArray, lt, sql } from "drizzle-orm";
import { seenSignatures } from "../../../db/schema.ts";
import type { Db } from "../db.ts";
import type { SignatureRepo } from "../types.ts";

export type { SignatureRepo } from "../types.ts";

/** Slack request signatures already accepted, to refuse replays. */
export function signatureRepo(db: Db): SignatureRepo {
  // Prepared once, when the store opens: the replay memory writes signatures behind in batches
  // (write-behind.ts).
  const insert = insertStatement(db);
  const forget = forgetStatement(db);
  return {
    async claim(signature, at) {
      return insert.run({ signature, at: new Date(at) }).changes === 1;
    },
    async since(at) {
      return db
        .select()
        .from(seenSignatures)
        .where(gte(seenSignatures.seenAt, new Date(at)))
        .all()
        .map((r) => ({ signature: r.signature, seenAt: r.seenAt.getTime() }));
    },
    async forgetBefore(at, limit) {
      return forget.run({ at, limit }).changes;
    },
  };
}

// A placeholder among the values goes through the column's Date mapping; one in a condition
// is bound as it is (Unix milliseconds).
function insertStatement(db: Db) {
  return db
    .insert(seenSignatures)
    .values({ signature: sql.placeholder("signature"), seenAt: sql.placeholder("at") })
    .onConflictDoNothing()
    .prepare();
}

function forgetStatement(db: Db) {
  const oldest = db
    .select({ signature: seenSignatures.signature })
    .from(seenSignatures)
    .where(lt(seenSignatures.seenAt, sql.placeholder("at")))
    .limit(sql.placeholder("limit"));
  return db.delete(seenSignatures).where(inArray(seenSignatures.signature, oldest)).prepare();
}
