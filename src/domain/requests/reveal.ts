import type { Ctx } from "../context.ts";
import { DomainError, forbidden, notFound } from "../errors.ts";
import { auditKey } from "../keys/describe.ts";
import { applyUpdate } from "../keys/versioning.ts";
import { hashSecret, newSecret } from "../secrets.ts";
import type { ApiKey } from "../types.ts";

export const NOT_YOURS = "Only the person who asked for this key can reveal it.";

/**
 * The requester of an approved new key sees its secret once: generated now, never stored in
 * plaintext. A second reveal is refused (an owner can regenerate the key instead).
 */
export async function revealKey(
  ctx: Ctx,
  actor: string,
  input: { requestId: number },
): Promise<{ key: ApiKey; secret: string }> {
  return ctx.uow.run(async (tx) => {
    const r = await tx.requests.byId(input.requestId);
    // Someone else's request and no request at all get the same refusal.
    if (r?.requester !== actor) throw forbidden(NOT_YOURS);
    if (!r.newKey) throw notFound("There is no new key to reveal for that request.");
    if (r.status !== "approved" || r.keyId === null)
      throw notFound("That request has no key to reveal.");
    const key = await tx.keys.byId(r.keyId);
    if (!key) throw notFound("That key has been deleted.");
    const now = ctx.clock.now();
    if (key.hasSecret || !(await tx.requests.markRevealed(r.id, now))) {
      throw new DomainError(
        "already_decided",
        "This key was already revealed, and its secret is shown only once. Ask an account owner to regenerate it if it is lost.",
      );
    }
    const secret = newSecret(key.publicId);
    await applyUpdate(tx, key, { secretHash: hashSecret(secret) }, now, actor);
    await tx.audit.append({
      at: now,
      actor,
      action: "key.revealed",
      ...auditKey(key),
      requestId: r.id,
    });
    return { key: (await tx.keys.byId(key.id)) as ApiKey, secret };
  });
}
