import { gte, inArray, lt } from "drizzle-orm";
import { seenSignatures } from "../../../../db/schema.pg.ts";
import type { SignatureRepo } from "../../types.ts";
import type { PgDb } from "../unit-of-work.ts";

/** Slack request signatures already accepted, to refuse replays. */
export function signatureRepo(db: PgDb): SignatureRepo {
  return {
    async claim(signature, at) {
      const rows = await db
        .insert(seenSignatures)
        .values({ signature, seenAt: new Date(at) })
        .onConflictDoNothing()
        .returning({ signature: seenSignatures.signature });
      return rows.length === 1;
    },
    async since(at) {
      return (
        await db
          .select()
          .from(seenSignatures)
          .where(gte(seenSignatures.seenAt, new Date(at)))
      ).map((r) => ({ signature: r.signature, seenAt: r.seenAt.getTime() }));
    },
    async forgetBefore(at, limit) {
      const oldest = db
        .select({ signature: seenSignatures.signature })
        .from(seenSignatures)
        .where(lt(seenSignatures.seenAt, new Date(at)))
        .limit(limit);
      const gone = await db
        .delete(seenSignatures)
        .where(inArray(seenSignatures.signature, oldest))
        .returning({ signature: seenSignatures.signature });
      return gone.length;
    },
  };
}
