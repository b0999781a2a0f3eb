// Reading keys: everyone in the workspace may list and look.
import type { Ctx } from "../context.ts";
import { reach } from "../grants.ts";
import type { ApiKey, KeyWithGrants } from "../types.ts";
import { findKeyByRef, loadKey } from "./load.ts";

export interface KeyPage {
  items: Array<KeyWithGrants & { nicknamesReached: number }>;
  total: number;
  offset: number;
  limit: number;
}

export async function listKeys(
  ctx: Ctx,
  q: { text?: string; keyOwner?: string; offset: number; limit: number },
): Promise<KeyPage> {
  return ctx.uow.run(async (tx) => {
    const { keys, total } = await tx.keys.list(q);
    const grants = await tx.grants.forKeys(keys.map((k) => k.id));
    const nicknames = await tx.nicknames.list();
    const now = ctx.clock.now();
    const items = keys.map((key) => {
      const g = grants.get(key.id) ?? [];
      return { key, grants: g, nicknamesReached: reach(g, nicknames, now).size };
    });
    return { items, total, offset: q.offset, limit: q.limit };
  });
}

export async function getKey(ctx: Ctx, ref: string | number): Promise<KeyWithGrants> {
  return ctx.uow.run(async (tx) => {
    const key: ApiKey =
      typeof ref === "number" ? await loadKey(tx, ref) : await findKeyByRef(tx, ref);
    return { key, grants: await tx.grants.forKey(key.id) };
  });
}
