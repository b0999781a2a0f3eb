import { recordChange } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { requirePermission } from "../permissions.ts";
import { hashSecret, newSecret } from "../secrets.ts";
import { timeRef } from "../text.ts";
import type { ApiKey } from "../types.ts";
import { auditKey } from "./describe.ts";
import { GRACE_WINDOWS, type GraceWindow } from "./grace.ts";
import { loadKey } from "./load.ts";
import { replaceSecret } from "./secret-swap.ts";
import { applyUpdate, assertFresh } from "./versioning.ts";

export interface RegenerateInput {
  keyId: number;
  expectedVersion?: number;
  grace: GraceWindow;
}

/** Replaces the secret. The new one is returned once, to be shown once. */
export async function regenerateKey(
  ctx: Ctx,
  actor: string,
  input: RegenerateInput,
): Promise<{ key: ApiKey; secret: string; oldValidUntil: Date | null }> {
  return ctx.uow.run(async (tx) => {
    await requirePermission(ctx, tx, actor, "regenerate");
    const now = ctx.clock.now();
    const key = await loadKey(tx, input.keyId);
    assertFresh(key, input.expectedVersion);
    const validUntil = new Date(now.getTime() + GRACE_WINDOWS[input.grace]);
    const secret = newSecret(key.publicId);
    await replaceSecret(tx, key, validUntil, "regenerated", now);
    await applyUpdate(tx, key, { secretHash: hashSecret(secret), regeneratedAt: now }, now, actor);
    const graceLine =
      input.grace === "none" || !key.hasSecret
        ? "The old secret stopped working at once: integrations using it are broken until they get the new one."
        : `The old secret keeps working until ${timeRef(validUntil)}.`;
    await recordChange(tx, now, {
      event: {
        actor,
        action: "key.regenerated",
        ...auditKey(key),
        diff: { after: { oldSecretValidUntil: validUntil.toISOString() } },
      },
      title: "API key regenerated",
      key,
      changes: [graceLine],
    });
    return {
      key: await loadKey(tx, key.id),
      secret,
      oldValidUntil: input.grace === "none" ? null : validUntil,
    };
  });
}
