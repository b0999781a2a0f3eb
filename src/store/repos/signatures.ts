import { gte, lt } from "drizzle-orm";
import { seenSignatures } from "../../../db/schema.ts";
import type { Db } from "../db.ts";
import type { SignatureRepo } from "../types.ts";

export type { SignatureRepo } from "../types.ts";

/** Slack request signatures already accepted, to refuse replays. */
export function signatureRepo(db: Db): SignatureRepo {
  return {
    async claim(signature, at) {
      return (
        db.insert(seenSignatures).values({ signature, seenAt: at }).onConflictDoNothing().run()
          .changes === 1
      );
    },
    async since(at) {
      return db.select().from(seenSignatures).where(gte(seenSignatures.seenAt, at)).all();
    },
    async forgetBefore(at) {
      db.delete(seenSignatures).where(lt(seenSignatures.seenAt, at)).run();
    },
  };
}
