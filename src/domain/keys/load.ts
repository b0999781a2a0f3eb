import { notFound } from "../errors.ts";
import type { Tx } from "../ports.ts";
import { quote } from "../text.ts";
import type { ApiKey } from "../types.ts";

export async function loadKey(tx: Tx, keyId: number): Promise<ApiKey> {
  const key = await tx.keys.byId(keyId);
  if (!key) throw notFound("That key no longer exists: it may have been deleted.");
  return key;
}

/** A key by its name (any case) or its public id, as people type it after a command. */
export async function findKeyByRef(tx: Tx, ref: string): Promise<ApiKey> {
  const text = ref.trim();
  const key = (await tx.keys.byName(text)) ?? (await tx.keys.byPublicId(text));
  if (!key) {
    throw notFound(
      `No key is called or has the id "${quote(text)}". Try \`/apikeys list\` to see the keys.`,
      "key",
    );
  }
  return key;
}
