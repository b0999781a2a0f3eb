import { DomainError, notFound } from "../errors.ts";
import type { Tx } from "../ports.ts";
import { quote } from "../text.ts";
import type { ApiKey } from "../types.ts";

export async function loadKey(tx: Tx, keyId: number): Promise<ApiKey> {
  const key = await tx.keys.byId(keyId);
  if (!key) throw notFound("That key no longer exists: it may have been deleted.");
  return key;
}

/** No key has that name or id; `near` are the keys it begins, or begins a word of (≤ 5). */
export class KeyNotFound extends DomainError {
  constructor(
    readonly ref: string,
    readonly near: ApiKey[],
  ) {
    super(
      "not_found",
      near.length === 1
        ? `No key is called or has the id "${quote(ref)}". Did you mean "${quote(near[0]?.name ?? "")}"?`
        : `No key is called or has the id "${quote(ref)}". Try \`/apikeys list\` to see the keys.`,
      "key",
    );
  }
}

/** A key by its name (any case) or its public id, as people type it after a command. */
export async function findKeyByRef(tx: Tx, ref: string): Promise<ApiKey> {
  const text = ref.trim();
  const key = (await tx.keys.byName(text)) ?? (await tx.keys.byPublicId(text));
  if (!key) throw new KeyNotFound(text, await keysNear(tx, text));
  return key;
}

/** Keys whose name, or a word of it, or whose public id begins with what was typed. */
async function keysNear(tx: Tx, text: string): Promise<ApiKey[]> {
  const t = text.toLowerCase();
  if (!t) return [];
  const { keys } = await tx.keys.list({ text: t, offset: 0, limit: 50 });
  return keys
    .filter(
      (k) =>
        k.publicId.toLowerCase().startsWith(t) ||
        k.name
          .toLowerCase()
          .split(/[^\p{L}\p{N}]+/u)
          .some((w, i, words) => words.slice(i).join(" ").startsWith(t) || w.startsWith(t)),
    )
    .slice(0, 5);
}
