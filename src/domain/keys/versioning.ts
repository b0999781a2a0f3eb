// Optimistic concurrency: every change names the version it was based on.
import { StaleError } from "../errors.ts";
import type { KeyPatch, Tx } from "../ports.ts";
import type { ApiKey } from "../types.ts";
import { loadKey } from "./load.ts";

export function assertFresh(key: ApiKey, expectedVersion: number | undefined): void {
  if (expectedVersion !== undefined && expectedVersion !== key.version) {
    throw new StaleError(key.updatedBy, key.updatedAt, key.name);
  }
}

/** Compare-and-set; a lost race reads the winner back to say who it was. */
export async function applyUpdate(
  tx: Tx,
  key: ApiKey,
  patch: KeyPatch,
  at: Date,
  by: string,
): Promise<void> {
  if (!(await tx.keys.update(key.id, key.version, patch, at, by))) {
    const now = await loadKey(tx, key.id);
    throw new StaleError(now.updatedBy, now.updatedAt, key.name);
  }
}
