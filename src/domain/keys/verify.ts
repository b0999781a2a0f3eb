// The verification rules of DESIGN §3, for services that receive keys. Synchronous and free of
// I/O beyond the lookup port, because it sits on the hot path of every API call they serve.
import { ALL_ACCOUNTS, type ApiId, type NicknameKind } from "../catalog.ts";
import { isLive, permits } from "../grants.ts";
import { hashSecret, isWellFormedSecret, publicIdOf } from "../secrets.ts";
import type { Grant } from "../types.ts";

export interface VerifyKey {
  id: number;
  publicId: string;
  name: string;
  status: "active" | "disabled";
  expiresAt: number | null;
}

/** Everything one verification needs, read in one go (one read transaction). */
export interface SecretMatch {
  key: VerifyKey;
  /** Null for the current secret; for an old one, when its grace window ends. */
  retiredUntil: number | null;
  grants: Grant[];
  /** The kind of the nickname asked about; undefined when it is not linked. */
  nicknameKind: NicknameKind | undefined;
}

export interface VerifyLookup {
  /** The key whose current or retired secret has this hash (it carries this public id). */
  bySecretHash(
    hash: string,
    publicId: string,
    nickname: string | undefined,
  ): SecretMatch | undefined;
}

export type VerifyAnswer =
  | { valid: false; reason: "unknown_key" | "disabled" | "expired" | "rotated" }
  | {
      valid: true;
      allowed: true;
      keyId: string;
      name: string;
    }
  | {
      valid: true;
      allowed: false;
      reason: "not_permitted";
      keyId: string;
      name: string;
    }
  | {
      valid: true;
      keyId: string;
      name: string;
      grants: Array<{ nickname: string; api: ApiId; expiresAt: string | null }>;
    };

export interface VerifyQuery {
  key: string;
  check?: { nickname: string; api: ApiId };
}

/** Answers a verification; `usedKeyId` is set when the key was valid (for last_used_at). */
export function verify(
  lookup: VerifyLookup,
  now: Date,
  q: VerifyQuery,
): { answer: VerifyAnswer; usedKeyId: number | null } {
  // A malformed or bad-checksum key is refused before any lookup.
  if (!isWellFormedSecret(q.key)) return refuse("unknown_key");
  const match = lookup.bySecretHash(hashSecret(q.key), publicIdOf(q.key), q.check?.nickname);
  if (!match) return refuse("unknown_key");
  const t = now.getTime();
  if (match.retiredUntil !== null && match.retiredUntil <= t) return refuse("rotated");
  const { key } = match;
  if (key.status === "disabled") return refuse("disabled");
  if (key.expiresAt !== null && key.expiresAt <= t) return refuse("expired");

  const { grants } = match;
  const ids = { keyId: key.publicId, name: key.name };
  if (!q.check) {
    return {
      answer: {
        valid: true,
        ...ids,
        grants: grants
          .filter((g) => isLive(g, now))
          .map((g) => ({
            nickname: g.scope === ALL_ACCOUNTS ? ALL_ACCOUNTS : g.scope,
            api: g.api,
            expiresAt: g.expiresAt?.toISOString() ?? null,
          })),
      },
      usedKeyId: key.id,
    };
  }
  const kind = match.nicknameKind;
  const allowed = kind !== undefined && permits(grants, q.check.nickname, kind, q.check.api, now);
  return {
    answer: allowed
      ? { valid: true, allowed: true, ...ids }
      : { valid: true, allowed: false, reason: "not_permitted", ...ids },
    usedKeyId: key.id,
  };
}

function refuse(reason: "unknown_key" | "disabled" | "expired" | "rotated") {
  return { answer: { valid: false as const, reason }, usedKeyId: null };
}
