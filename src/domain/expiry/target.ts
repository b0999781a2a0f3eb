// What an expiry reminder is about, read again at each click: a key, or the time-bound grants
// an approved request gave a key (`id`: the key's id, or the request's).
import type { ExpirySubject, Tx } from "../ports.ts";
import { quote } from "../text.ts";
import type { AccessRequest, ApiKey, GrantCell } from "../types.ts";

export interface ExpiryTarget {
  subject: ExpirySubject;
  id: number;
  key: ApiKey;
  request: AccessRequest | null;
  /** For grants: the cells still held through the request. */
  cells: GrantCell[];
  /** When it ends now (null: never, or the grants are gone). */
  expiresAt: Date | null;
}

export async function loadTarget(
  tx: Tx,
  subject: ExpirySubject,
  id: number,
): Promise<ExpiryTarget | undefined> {
  if (subject === "key") {
    const key = await tx.keys.byId(id);
    return key && { subject, id, key, request: null, cells: [], expiresAt: key.expiresAt };
  }
  const request = await tx.requests.byId(id);
  if (!request?.keyId) return undefined;
  const key = await tx.keys.byId(request.keyId);
  if (!key) return undefined;
  const grants = (await tx.grants.forKey(key.id)).filter((g) => g.requestId === id);
  const ends = grants.flatMap((g) => (g.expiresAt ? [g.expiresAt.getTime()] : []));
  return {
    subject,
    id,
    key,
    request,
    cells: grants.map(({ scope, api }) => ({ scope, api })),
    expiresAt: ends.length ? new Date(Math.min(...ends)) : null,
  };
}

/** Whether this person may let it expire besides the owners: the key owner, or the requester. */
export const isParty = (t: ExpiryTarget, userId: string): boolean =>
  t.subject === "key" ? t.key.keyOwner === userId : t.request?.requester === userId;

/** How refusals name it (domain text). */
export const targetName = (t: ExpiryTarget): string =>
  t.subject === "key"
    ? `"${quote(t.key.name)}"`
    : `the time-bound access request #${t.id} gave "${quote(t.key.name)}"`;
