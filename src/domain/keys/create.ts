import { recordChange } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { checkLifetime } from "../expiry/lifetime.ts";
import { validateCells } from "../grants.ts";
import { requirePermission } from "../permissions.ts";
import { hashSecret, newSecret } from "../secrets.ts";
import type { ApiKey } from "../types.ts";
import { Checks, parseField, userIdSchema } from "../validation.ts";
import { auditKey, createdLines, snapshot } from "./describe.ts";
import { checkExpiry, freshPublicId, uniqueName } from "./rules.ts";

export interface CreateKeyInput {
  name: string;
  keyOwner: string;
  cells: ReadonlyArray<{ scope: string; api: string }>;
  expiresAt: Date | null;
}

/** Creates a key; the returned secret must be shown once and then forgotten. */
export async function createKey(
  ctx: Ctx,
  actor: string,
  input: CreateKeyInput,
): Promise<{ key: ApiKey; secret: string }> {
  return ctx.uow.run(async (tx) => {
    await requirePermission(ctx, tx, actor, "create");
    const now = ctx.clock.now();
    const checks = new Checks();
    const name = await checks.check(() => uniqueName(tx, input.name));
    const keyOwner = await checks.check(() =>
      parseField(userIdSchema, input.keyOwner, "key_owner"),
    );
    const nicknames = await tx.nicknames.list();
    const cells = await checks.check(() => validateCells(input.cells, nicknames));
    await checks.check(() => checkExpiry(input.expiresAt, now));
    await checks.check(() => checkLifetime(ctx, input.expiresAt, now));
    checks.done();
    const publicId = await freshPublicId(tx);
    const secret = newSecret(publicId);
    const key = await tx.keys.insert({
      publicId,
      name: name as string,
      keyOwner: keyOwner as string,
      secretHash: hashSecret(secret),
      at: now,
      by: actor,
      expiresAt: input.expiresAt,
    });
    await tx.grants.add(
      key.id,
      (cells ?? []).map((c) => ({ ...c, expiresAt: null, requestId: null })),
      now,
      actor,
    );
    await recordChange(tx, now, {
      event: {
        actor,
        action: "key.created",
        ...auditKey(key),
        diff: { after: snapshot(key, cells ?? []) },
      },
      title: "API key created",
      key,
      changes: createdLines(key, cells ?? []),
    });
    return { key, secret };
  });
}
