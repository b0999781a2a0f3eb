import { recordChange } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { conflict } from "../errors.ts";
import { requirePermission } from "../permissions.ts";
import { quote } from "../text.ts";
import type { Nickname } from "../types.ts";
import { nicknameKindSchema, nicknameSchema, parseField } from "../validation.ts";

/** Links an account nickname. Keys granted All accounts reach it at once. */
export async function addNickname(
  ctx: Ctx,
  actor: string,
  input: { nickname: string; kind: string },
): Promise<Nickname> {
  return ctx.uow.run(async (tx) => {
    await requirePermission(ctx, tx, actor, "nicknames");
    const now = ctx.clock.now();
    const nickname = parseField(nicknameSchema, input.nickname, "nickname");
    const kind = parseField(nicknameKindSchema, input.kind, "kind");
    if (await tx.nicknames.byName(nickname)) {
      throw conflict(`"${quote(nickname)}" is already linked.`, "nickname");
    }
    const added = await tx.nicknames.insert({ nickname, kind, at: now, by: actor });
    await recordChange(tx, now, {
      event: {
        actor,
        action: "nickname.added",
        subject: nickname,
        diff: { after: { nickname, kind } },
      },
      title: "Account nickname linked",
      changes: [`+ ${nickname} (${kind})`, "Keys granted All accounts reach it now."],
    });
    return added;
  });
}
