// The verification API's reads: prepared once on the read-only connection, synchronous, so a
// verify costs a hash and two indexed lookups.
import { eq, sql } from "drizzle-orm";
import { apiKeys, grants, nicknames, retiredSecrets } from "../../db/schema.ts";
import type { NicknameKind } from "../domain/catalog.ts";
import type { VerifyKey, VerifyLookup } from "../domain/keys/verify.ts";
import type { Db } from "./db.ts";
import { toGrant } from "./repos/grants.ts";

export function verifyLookup(db: Db): VerifyLookup {
  const keyColumns = {
    id: apiKeys.id,
    publicId: apiKeys.publicId,
    name: apiKeys.name,
    status: apiKeys.status,
    expiresAt: apiKeys.expiresAt,
  };
  const current = db
    .select(keyColumns)
    .from(apiKeys)
    .where(eq(apiKeys.secretHash, sql.placeholder("hash")))
    .prepare();
  const retired = db
    .select({ ...keyColumns, validUntil: retiredSecrets.validUntil })
    .from(retiredSecrets)
    .innerJoin(apiKeys, eq(apiKeys.id, retiredSecrets.keyId))
    .where(eq(retiredSecrets.secretHash, sql.placeholder("hash")))
    .prepare();
  const keyGrants = db
    .select({
      keyId: grants.keyId,
      api: grants.api,
      expiresAt: grants.expiresAt,
      requestId: grants.requestId,
      nickname: nicknames.nickname,
    })
    .from(grants)
    .leftJoin(nicknames, eq(nicknames.id, grants.nicknameId))
    .where(eq(grants.keyId, sql.placeholder("keyId")))
    .prepare();
  const kind = db
    .select({ kind: nicknames.kind })
    .from(nicknames)
    .where(eq(nicknames.nickname, sql.placeholder("nickname")))
    .prepare();

  return {
    bySecretHash(hash) {
      const k = current.get({ hash });
      if (k) return { key: k as VerifyKey, retiredUntil: null };
      const r = retired.get({ hash });
      if (!r) return undefined;
      const { validUntil, ...key } = r;
      return { key: key as VerifyKey, retiredUntil: validUntil };
    },
    grants(keyId) {
      return keyGrants.all({ keyId }).map(toGrant);
    },
    nicknameKind(nickname) {
      return kind.get({ nickname })?.kind as NicknameKind | undefined;
    },
  };
}
