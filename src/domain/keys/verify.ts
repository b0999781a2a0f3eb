// The verification rules, for services that receive keys. Free of I/O beyond the lookup port,
// and synchronous whenever the lookup answers from memory, because it sits on the hot path of
// every API call they serve. The contract, and how each store caches:
// docs/design.md#the-verification-api.
import type { ApiId, NicknameKind } from "../catalog.ts";
import { allowingGrant, isLive } from "../grants.ts";
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
  /**
   * The key whose current or retired secret has this hash (it carries this public id).
   * Answers at once from what the lookup holds; a promise only when it must ask its database
   * first (PostgreSQL on a miss).
   */
  bySecretHash(
    hash: string,
    publicId: string,
    nickname: string | undefined,
  ): SecretMatch | undefined | Promise<SecretMatch | undefined>;
}

type Refusal = "unknown_key" | "disabled" | "expired" | "rotated";

export type VerifyAnswer =
  | { valid: false; reason: Refusal }
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

export interface VerifyResult {
  answer: VerifyAnswer;
  /** Set when the key was valid (for last_used_at and usage). */
  usedKeyId: number | null;
  /** An allowed check's grant (see allowingGrant): what usage counts it against. */
  grant: Grant | null;
}

/** Answers a verification: at once when the lookup does, else as a promise. */
export function verify(
  lookup: VerifyLookup,
  now: Date,
  q: VerifyQuery,
): VerifyResult | Promise<VerifyResult> {
  // A malformed or bad-checksum key is refused before any lookup.
  if (!isWellFormedSecret(q.key)) return refuse("unknown_key");
  const found = lookup.bySecretHash(hashSecret(q.key), publicIdOf(q.key), q.check?.nickname);
  return found instanceof Promise ? found.then((m) => judge(m, now, q)) : judge(found, now, q);
}

function judge(match: SecretMatch | undefined, now: Date, q: VerifyQuery): VerifyResult {
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
            nickname: g.scope,
            api: g.api,
            expiresAt: g.expiresAt?.toISOString() ?? null,
          })),
      },
      usedKeyId: key.id,
      grant: null,
    };
  }
  const kind = match.nicknameKind;
  const grant =
    kind === undefined
      ? undefined
      : allowingGrant(grants, q.check.nickname, kind, q.check.api, now);
  return {
    answer: grant
      ? { valid: true, allowed: true, ...ids }
      : { valid: true, allowed: false, reason: "not_permitted", ...ids },
    usedKeyId: key.id,
    grant: grant ?? null,
  };
}

function refuse(reason: Refusal): VerifyResult {
  return { answer: { valid: false, reason }, usedKeyId: null, grant: null };
}
