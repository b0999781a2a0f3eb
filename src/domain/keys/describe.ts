// How a key appears in audit events and notices.
import { describeCell } from "../grants.ts";
import { timeRef, userRef } from "../text.ts";
import type { ApiKey, GrantCell } from "../types.ts";

export function auditKey(key: ApiKey) {
  return { keyId: key.id, keyName: key.name, keyPublicId: key.publicId };
}

export function snapshot(key: ApiKey, cells: readonly GrantCell[]) {
  return {
    name: key.name,
    keyOwner: key.keyOwner,
    status: key.status,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    grants: cells.map((c) => ({ scope: c.scope, api: c.api })),
  };
}

export function createdLines(key: ApiKey, cells: readonly GrantCell[]): string[] {
  return [
    `Key owner: ${userRef(key.keyOwner)}`,
    ...(cells.length ? cells.map((c) => `+ ${describeCell(c)}`) : ["No permissions yet"]),
    ...(key.expiresAt ? [`Expires ${timeRef(key.expiresAt)}`] : []),
  ];
}
