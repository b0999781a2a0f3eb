import type { ApiId } from "../catalog.ts";
import { recordChange } from "../changes.ts";
import type { Ctx } from "../context.ts";
import { notFound } from "../errors.ts";
import { describeCell } from "../grants.ts";
import { auditKey } from "../keys/describe.ts";
import { requirePermission } from "../permissions.ts";
import { quote } from "../text.ts";
import type { GrantCell } from "../types.ts";
import { nicknameSchema, parseField } from "../validation.ts";

/**
 * Unlinks a nickname. Grants naming it go with it; each key that loses one is recorded as a
 * permission change and its owner is told.
 */
export async function removeNickname(
  ctx: Ctx,
  actor: string,
  input: { nickname: string },
): Promise<{ keysAffected: number }> {
  return ctx.uow.run(async (tx) => {
    await requirePermission(ctx, tx, actor, "nicknames");
    const now = ctx.clock.now();
    const nickname = parseField(nicknameSchema, input.nickname, "nickname");
    const nick = await tx.nicknames.byName(nickname);
    if (!nick) throw notFound(`"${quote(nickname)}" is not a linked nickname.`, "nickname");
    const affected = await tx.grants.keysOnNickname(nick.id);
    const byKey = new Map<number, ApiId[]>();
    for (const { keyId, api } of affected) {
      byKey.set(keyId, [...(byKey.get(keyId) ?? []), api]);
    }
    for (const [keyId, apis] of byKey) {
      const key = await tx.keys.byId(keyId);
      if (!key) continue;
      const cells: GrantCell[] = apis.map((api) => ({ scope: nickname, api }));
      const changes = cells.map((c) => `− ${describeCell(c)}`);
      await tx.grants.remove(keyId, cells);
      await recordChange(tx, now, {
        event: {
          actor,
          action: "key.permissions_changed",
          ...auditKey(key),
          reason: `Nickname ${nickname} was removed.`,
          diff: { changes },
        },
        title: "API key lost permissions",
        key,
        changes: [`${nickname} was unlinked from the account.`, ...changes],
      });
    }
    await tx.nicknames.delete(nick.id);
    await recordChange(tx, now, {
      event: {
        actor,
        action: "nickname.removed",
        subject: nickname,
        diff: { before: { nickname, kind: nick.kind } },
      },
      title: "Account nickname removed",
      changes: [
        `− ${nickname} (${nick.kind})`,
        byKey.size
          ? `${byKey.size} key(s) lost their permissions on it.`
          : "No key named it directly.",
      ],
    });
    return { keysAffected: byKey.size };
  });
}
