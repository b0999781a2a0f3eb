// The digest's fix for a key beyond the lifetime policy.
import type { Ctx } from "../context.ts";
import { invalid } from "../errors.ts";
import { type EditResult, editKey } from "../keys/edit.ts";
import { lifetimeLimit } from "./lifetime.ts";

/** The digest's one-click fix: the longest expiry allowed, through the normal edit. */
export async function fixLifetime(
  ctx: Ctx,
  actor: string,
  input: { keyId: number; version: number },
): Promise<EditResult> {
  const limit = lifetimeLimit(ctx, ctx.clock.now());
  if (!limit) throw invalid("No key lifetime is set any more; nothing was changed.");
  return editKey(ctx, actor, {
    keyId: input.keyId,
    expectedVersion: input.version,
    expiresAt: limit,
  });
}
