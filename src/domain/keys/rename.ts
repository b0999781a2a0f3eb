import type { Ctx } from "../context.ts";
import { editKey } from "./edit.ts";

export async function renameKey(
  ctx: Ctx,
  actor: string,
  keyId: number,
  name: string,
  expectedVersion?: number,
) {
  return editKey(ctx, actor, { keyId, name, expectedVersion });
}
