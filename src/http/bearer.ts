// Bearer tokens of the HTTP APIs, compared so that the time taken says nothing about the token.

/**
 * A check of `Authorization: Bearer <token>` headers against `token`; never passes when
 * `token` is unset (the API is off).
 *
 * The header is compared with the expected one character by character over the expected
 * length, whatever the header's length or where it differs, so the time taken depends only on
 * the configured token's length, never on how much of it a caller guessed. (Hashing both sides
 * first hides the token's length as well, but a SHA-256 per request cost the verification API
 * about 4% of its throughput; the token's length is not the secret.)
 */
export function bearerCheck(token: string | undefined): (header: string | undefined) => boolean {
  if (!token) return () => false;
  const expected = `Bearer ${token}`;
  const n = expected.length;
  return (header) => {
    if (header === undefined) return false;
    // A different length fails at the end, after the same loop.
    let diff = header.length ^ n;
    for (let i = 0; i < n; i++) {
      // Past the header's end charCodeAt gives NaN, which `| 0` turns into 0 (a mismatch).
      diff |= (header.charCodeAt(i) | 0) ^ expected.charCodeAt(i);
    }
    return diff === 0;
  };
}
