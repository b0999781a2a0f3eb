import type { Tx } from "../ports.ts";
import type { ApiKey } from "../types.ts";

/**
 * Retires the key's current secret (valid until `validUntil`); the caller stores the new
 * hash in the same transaction, so a key is never left half-regenerated.
 */
export async function replaceSecret(
  tx: Tx,
  key: ApiKey,
  validUntil: Date,
  reason: "regenerated" | "rotated",
  now: Date,
): Promise<void> {
  const current = await tx.keys.currentSecretHash(key.id);
  if (current) {
    await tx.keys.retireSecret({ keyId: key.id, secretHash: current, at: now, validUntil, reason });
  }
}
