// Bearer tokens of the HTTP APIs, compared so that the time taken says nothing about the token.
import { hash } from "node:crypto";

const digest = (s: string) => hash("sha256", s, "hex");

/** Compares two hex digests of equal length in time independent of where they differ. */
function sameDigest(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * A check of `Authorization: Bearer <token>` headers against `token`; never passes when
 * `token` is unset (the API is off).
 */
export function bearerCheck(token: string | undefined): (header: string | undefined) => boolean {
  const expected = token ? digest(token) : undefined;
  return (header) => {
    if (!expected || !header?.startsWith("Bearer ")) return false;
    // Compare digests so the comparison takes the same time whatever the token's length.
    return sameDigest(digest(header.slice(7)), expected);
  };
}
