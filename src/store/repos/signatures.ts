import { gte, lt } from "drizzle-orm";
import { seenSignatures } from "../../../db/schema.ts";
import type { Db } from "../db.ts";

/** Slack request signatures already accepted, to refuse replays. */
export function signatureRepo(db: Db) {
  return {
    /** True the first time a signature is seen. */
    claim(signature: string, at: number): boolean {
      return (
        db.insert(seenSignatures).values({ signature, seenAt: at }).onConflictDoNothing().run()
          .changes === 1
      );
    },
    since(at: number): Array<{ signature: string; seenAt: number }> {
      return db.select().from(seenSignatures).where(gte(seenSignatures.seenAt, at)).all();
    },
    forgetBefore(at: number): void {
      db.delete(seenSignatures).where(lt(seenSignatures.seenAt, at)).run();
    },
  };
}
export type SignatureRepo = ReturnType<typeof signatureRepo>;
