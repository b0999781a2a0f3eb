// The key owner reveals the new secret someone regenerated or rotated for them: it is made
// now, shown to them once, and only its hash is kept. Until this moment it did not exist.
import { recordChange } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { DomainError, forbidden } from "../errors.ts";
import { hashSecret, newSecret } from "../secrets.ts";
import { timeRef, userRef } from "../text.ts";
import type { ApiKey } from "../types.ts";
import { auditKey } from "./describe.ts";
import { applyUpdate } from "./versioning.ts";

export const NOT_KEY_OWNER =
  "Only the key owner can reveal a key's new secret. Ask them, or an account owner to regenerate it for you.";
export const NOTHING_WAITING =
  "There is no new secret waiting for this key: it was already revealed, and a secret is shown only once. Ask an account owner to regenerate it if it is lost.";

/** Whether this person may reveal the key's waiting secret now; the refusal if not. */
export function checkHandover(key: ApiKey | undefined, actor: string): ApiKey {
  // Someone else's key and no key at all get the same refusal.
  if (!key || key.keyOwner !== actor) throw forbidden(NOT_KEY_OWNER);
  if (!key.handover) throw new DomainError("already_decided", NOTHING_WAITING);
  return key;
}

export async function revealHandover(
  ctx: Ctx,
  actor: string,
  input: { keyId: number },
): Promise<{ key: ApiKey; secret: string }> {
  return ctx.uow.run(async (tx) => {
    const key = checkHandover(await tx.keys.byId(input.keyId), actor);
    const handover = key.handover as NonNullable<ApiKey["handover"]>;
    const now = ctx.clock.now();
    const secret = newSecret(key.publicId);
    await applyUpdate(tx, key, { secretHash: hashSecret(secret), handover: null }, now, actor);
    await recordChange(tx, now, {
      event: {
        actor,
        action: "key.revealed",
        ...auditKey(key),
        diff: {
          after: { askedBy: handover.by, askedAt: handover.at.toISOString() },
        },
      },
      title: "New secret revealed by the key owner",
      key,
      changes: [
        `${userRef(actor)}, the key owner, revealed the new secret at ${timeRef(now)} (asked for by ${userRef(handover.by)} at ${timeRef(handover.at)}). The key works with it now.`,
      ],
    });
    return { key: (await tx.keys.byId(key.id)) as ApiKey, secret };
  });
}
