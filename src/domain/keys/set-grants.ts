import type { Ctx } from "../context.ts";
import { editKey } from "./edit.ts";

/** Replaces the permission matrix; the change is diffed against what the key holds. */
export async function setGrants(
  ctx: Ctx,
  actor: string,
  keyId: number,
  cells: ReadonlyArray<{ scope: string; api: string }>,
  expectedVersion?: number,
) {
  return editKey(ctx, actor, { keyId, cells, expectedVersion });
}
