import { requireRole } from "../access.ts";
import { recordChange } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { isoDay } from "../text.ts";
import type { ApiKey } from "../types.ts";
import { auditKey } from "./describe.ts";
import { loadKey } from "./load.ts";
import { checkExpiry } from "./rules.ts";
import { applyUpdate, assertFresh } from "./versioning.ts";

/** Sets or clears when the key stops working by itself. */
export async function setKeyExpiry(
  ctx: Ctx,
  actor: string,
  input: { keyId: number; expiresAt: Date | null; expectedVersion?: number },
): Promise<ApiKey> {
  return ctx.uow.run(async (tx) => {
    await requireRole(ctx, tx, actor, ["owner"], "change when a key expires");
    const now = ctx.clock.now();
    const key = await loadKey(tx, input.keyId);
    assertFresh(key, input.expectedVersion);
    checkExpiry(input.expiresAt, now);
    if ((key.expiresAt?.getTime() ?? null) === (input.expiresAt?.getTime() ?? null)) return key;
    await applyUpdate(tx, key, { expiresAt: input.expiresAt }, now, actor);
    const show = (d: Date | null) => (d ? isoDay(d) : "never");
    await recordChange(tx, now, {
      event: {
        actor,
        action: "key.expiry_changed",
        ...auditKey(key),
        diff: {
          before: { expiresAt: key.expiresAt?.toISOString() ?? null },
          after: { expiresAt: input.expiresAt?.toISOString() ?? null },
        },
      },
      title: "API key expiry changed",
      key,
      changes: [`Expires: ${show(key.expiresAt)} → ${show(input.expiresAt)}`],
    });
    return loadKey(tx, key.id);
  });
}
