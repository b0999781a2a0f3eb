import { recordChange } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { requirePermission } from "../permissions.ts";
import type { ApiKey } from "../types.ts";
import { auditKey } from "./describe.ts";
import { GRACE_WINDOWS, type GraceWindow } from "./grace.ts";
import { loadKey } from "./load.ts";
import { type HandTo, issueNewSecret } from "./new-secret.ts";
import { assertFresh } from "./versioning.ts";

export interface RegenerateInput {
  keyId: number;
  expectedVersion?: number;
  grace: GraceWindow;
  /** Who gets the new secret (default: the person regenerating, now). */
  handTo?: HandTo;
}

/**
 * Replaces the secret. The new one is returned once, to be shown once; or, handed to the key
 * owner, it is made only when they reveal it (then `secret` is null).
 */
export async function regenerateKey(
  ctx: Ctx,
  actor: string,
  input: RegenerateInput,
): Promise<{
  key: ApiKey;
  secret: string | null;
  oldValidUntil: Date | null;
  lines: string[];
}> {
  return ctx.uow.run(async (tx) => {
    await requirePermission(ctx, tx, actor, "regenerate");
    const now = ctx.clock.now();
    const key = await loadKey(tx, input.keyId);
    assertFresh(key, input.expectedVersion);
    const validUntil = new Date(now.getTime() + GRACE_WINDOWS[input.grace]);
    const issued = await issueNewSecret(tx, key, {
      actor,
      now,
      oldValidUntil: validUntil,
      reason: "regenerated",
      handTo: input.handTo ?? "me",
    });
    await recordChange(tx, now, {
      event: {
        actor,
        action: "key.regenerated",
        ...auditKey(key),
        diff: {
          after: {
            oldSecretValidUntil: validUntil.toISOString(),
            newSecret: issued.handedOver ? "waiting for the key owner to reveal it" : "shown once",
          },
          changes: issued.lines,
        },
      },
      title: "API key regenerated",
      key,
      changes: issued.lines,
      revealFor: issued.handedOver ? key.keyOwner : null,
    });
    return {
      key: await loadKey(tx, key.id),
      secret: issued.secret,
      oldValidUntil: input.grace === "none" ? null : validUntil,
      lines: issued.lines,
    };
  });
}
