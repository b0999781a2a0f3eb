import { recordChange } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { invalid } from "../errors.ts";
import { requirePermission } from "../permissions.ts";
import { quote } from "../text.ts";
import type { ApiKey } from "../types.ts";
import { auditKey } from "./describe.ts";
import { loadKey } from "./load.ts";
import { applyUpdate } from "./versioning.ts";

/** Only owners bring a disabled key back. */
export async function enableKey(
  ctx: Ctx,
  actor: string,
  input: { keyId: number },
): Promise<ApiKey> {
  return ctx.uow.run(async (tx) => {
    await requirePermission(ctx, tx, actor, "enable");
    const now = ctx.clock.now();
    const key = await loadKey(tx, input.keyId);
    if (key.status === "active") throw invalid(`"${quote(key.name)}" is already enabled.`);
    await applyUpdate(tx, key, { status: "active" }, now, actor);
    await recordChange(tx, now, {
      event: { actor, action: "key.enabled", ...auditKey(key) },
      title: "API key enabled",
      key,
      changes: ["Calls with this key are accepted again, within its permissions."],
    });
    return loadKey(tx, key.id);
  });
}
