// Rules every key change shares: unique names, future expiries, fresh public ids.
import { conflict, invalid } from "../errors.ts";
import type { Tx } from "../ports.ts";
import { newPublicId } from "../secrets.ts";
import { quote } from "../text.ts";
import { keyNameSchema, parseField } from "../validation.ts";

/** A trimmed, valid name no other key has (names are unique regardless of case). */
export async function uniqueName(tx: Tx, raw: string, exceptKeyId?: number): Promise<string> {
  const name = parseField(keyNameSchema, raw, "name");
  const other = await tx.keys.byName(name);
  if (other && other.id !== exceptKeyId) {
    throw conflict(
      `A key called "${quote(other.name)}" already exists. Pick another name.`,
      "name",
    );
  }
  return name;
}

export function checkExpiry(expiresAt: Date | null, now: Date): void {
  if (expiresAt && expiresAt.getTime() <= now.getTime()) {
    throw invalid("The expiry date must be in the future.", "expires");
  }
}

export async function freshPublicId(tx: Tx): Promise<string> {
  for (;;) {
    const id = newPublicId();
    if (!(await tx.keys.byPublicId(id))) return id;
  }
}
