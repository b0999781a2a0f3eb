import type { Ctx } from "../context.ts";
import type { Nickname } from "../types.ts";

export async function listNicknames(ctx: Ctx): Promise<Nickname[]> {
  return ctx.uow.run((tx) => tx.nicknames.list());
}
