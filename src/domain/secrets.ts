// Key secrets: `kw_` + 40 base62 CSPRNG characters + 6 base62 characters of the
// CRC32 of those 40, so a leaked key can be recognised offline. The first 8 of the 40 are the
// key's public id, generated once per key and kept across regenerations; only the SHA-256
// hash of a secret is ever stored.
import { hash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SECRET_PREFIX = "kw_";
const PUBLIC_ID_LENGTH = 8;
const BODY_LENGTH = 40;
const CHECKSUM_LENGTH = 6;

/** Matches anything shaped like a secret (not inside a longer word); the checksum is separate. */
const SECRET_SHAPE = /(?<![0-9A-Za-z_])kw_[0-9A-Za-z]{46}(?![0-9A-Za-z])/g;

/** Unbiased base62 from the CSPRNG: bytes ≥ 248 are dropped (248 = 4 × 62). */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

function checksum(body: string): string {
  let n = crc32(body);
  let out = "";
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export function newPublicId(): string {
  return randomBase62(PUBLIC_ID_LENGTH);
}

/** A fresh secret for the key with this public id. */
export function newSecret(publicId: string): string {
  const body = publicId + randomBase62(BODY_LENGTH - PUBLIC_ID_LENGTH);
  return SECRET_PREFIX + body + checksum(body);
}

/** Each base62 character's value by its char code; -1 for anything else. */
const DIGIT_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGIT_VALUE[ALPHABET.charCodeAt(i)] = i;

const SECRET_LENGTH = SECRET_PREFIX.length + BODY_LENGTH + CHECKSUM_LENGTH;

/**
 * True when the string has the secret's shape and its checksum holds. No lookup needed.
 * Every verification starts here, so it reads char codes instead of running a regular
 * expression and compares the checksum's digits without building its string (together half
 * the cost).
 */
export function isWellFormedSecret(candidate: string): boolean {
  if (candidate.length !== SECRET_LENGTH || !candidate.startsWith(SECRET_PREFIX)) return false;
  for (let i = SECRET_PREFIX.length; i < SECRET_LENGTH; i++) {
    const c = candidate.charCodeAt(i);
    if (c > 127 || (DIGIT_VALUE[c] as number) < 0) return false;
  }
  let n = crc32(candidate.slice(SECRET_PREFIX.length, SECRET_PREFIX.length + BODY_LENGTH));
  // The checksum's digits, least significant last (as checksum() writes them).
  for (let i = SECRET_LENGTH - 1; i >= SECRET_LENGTH - CHECKSUM_LENGTH; i--) {
    if (DIGIT_VALUE[candidate.charCodeAt(i)] !== n % 62) return false;
    n = Math.floor(n / 62);
  }
  return true;
}

export function publicIdOf(secret: string): string {
  return secret.slice(SECRET_PREFIX.length, SECRET_PREFIX.length + PUBLIC_ID_LENGTH);
}

export function hashSecret(secret: string): string {
  // One-shot hashing: several times cheaper than createHash on the verification hot path.
  return hash("sha256", secret, "hex");
}

/** Every checksum-valid secret inside a piece of text (a leaked-key scan). */
export function findSecrets(text: string): string[] {
  return [...text.matchAll(SECRET_SHAPE)].map((m) => m[0]).filter(isWellFormedSecret);
}

/** Every key-shaped string in a piece of text, split by whether its checksum holds. */
export function findKeyShaped(text: string): { valid: string[]; badChecksum: string[] } {
  const valid: string[] = [];
  const badChecksum: string[] = [];
  for (const m of text.matchAll(SECRET_SHAPE)) {
    (isWellFormedSecret(m[0]) ? valid : badChecksum).push(m[0]);
  }
  return { valid, badChecksum };
}
