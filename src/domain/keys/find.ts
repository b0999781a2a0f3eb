import type { Ctx } from "../context.ts";
import type { ApiKey } from "../types.ts";
import { findKeyByRef } from "./load.ts";

/** A key by name or public id, read in its own transaction. */
export async function findKeyByRefOutsideTx(ctx: Ctx, ref: string): Promise<ApiKey> {
  return ctx.uow.run((tx) => findKeyByRef(tx, ref));
}
