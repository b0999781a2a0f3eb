import type { Ctx } from "../context.ts";
import { editKey } from "./edit.ts";

/** Sets or clears when the key stops working by itself. */
export async function setKeyExpiry(
  ctx: Ctx,
  actor: string,
  input: { keyId: number; expiresAt: Date | null; expectedVersion?: number },
) {
  return (await editKey(ctx, actor, input)).key;
}
