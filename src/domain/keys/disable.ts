import { recordChange } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { invalid } from "../errors.ts";
import { requirePermission } from "../permissions.ts";
import { quote } from "../text.ts";
import type { ApiKey, Role } from "../types.ts";
import { parseField, reasonSchema } from "../validation.ts";
import { auditKey } from "./describe.ts";
import { loadKey } from "./load.ts";
import { applyUpdate } from "./versioning.ts";

/** On-call engineers give a reason when they disable a key; owners may. */
export const disableNeedsReason = (role: Role) => role === "oncall";

/** Owners may disable any key; on-call engineers too, giving a reason. Reversible. */
export async function disableKey(
  ctx: Ctx,
  actor: string,
  input: { keyId: number; reason?: string | null },
): Promise<ApiKey> {
  return ctx.uow.run(async (tx) => {
    const role = await requirePermission(ctx, tx, actor, "disable");
    const now = ctx.clock.now();
    const reason =
      disableNeedsReason(role) || input.reason?.trim()
        ? parseField(reasonSchema, input.reason ?? "", "reason")
        : null;
    const key = await loadKey(tx, input.keyId);
    if (key.status === "disabled") throw invalid(`"${quote(key.name)}" is already disabled.`);
    await applyUpdate(tx, key, { status: "disabled" }, now, actor);
    await recordChange(tx, now, {
      event: { actor, action: "key.disabled", ...auditKey(key), reason },
      title: "API key disabled",
      key,
      changes: ["Every call with this key is refused until an owner enables it."],
    });
    return loadKey(tx, key.id);
  });
}
