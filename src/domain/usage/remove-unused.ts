// "Remove unused grants": the grants a suggestion listed, taken off through the normal edit
// (owners only, the version the person saw, diff, audit event, DMs), in one transaction that
// checks the usage again: a grant used since the suggestion was made is kept.
import type { Ctx } from "../context.ts";
import { invalid } from "../errors.ts";
import { cellKey, sortCells } from "../grants.ts";
import { editKeyIn } from "../keys/edit.ts";
import { loadKey } from "../keys/load.ts";
import { assertFresh } from "../keys/versioning.ts";
import { requirePermission } from "../permissions.ts";
import type { ApiKey, GrantCell } from "../types.ts";
import { countingSince } from "./counting.ts";
import { dayOf, isoDayOf } from "./days.ts";
import { RETENTION_DAYS, UNUSED_DAYS, unusedSince } from "./unused.ts";

export interface RemoveUnusedInput {
  keyId: number;
  /** The key's version when the suggestion was made: any change since refuses (stale). */
  expectedVersion: number;
  /** The suggestion's window: grants with no use from this day on. */
  since: number;
}

export interface RemoveUnusedResult {
  key: ApiKey;
  removed: GrantCell[];
}

export async function removeUnusedGrants(
  ctx: Ctx,
  actor: string,
  input: RemoveUnusedInput,
): Promise<RemoveUnusedResult> {
  return ctx.uow.run(async (tx) => {
    // The role first: a refusal must not tell which keys exist.
    await requirePermission(ctx, tx, actor, "edit");
    const now = ctx.clock.now();
    const today = dayOf(now);
    if (input.since > today - UNUSED_DAYS) {
      throw invalid(`A grant is suggested for removal after ${UNUSED_DAYS} days without use.`);
    }
    if (input.since <= today - RETENTION_DAYS) {
      throw invalid("This suggestion is too old to check again. Open the key's Quick view.");
    }
    const key = await loadKey(tx, input.keyId);
    assertFresh(key, input.expectedVersion);
    const grants = (await tx.usage.grantUse([key.id], input.since)).get(key.id) ?? [];
    const unused = unusedSince(grants, input.since, await countingSince(tx), now);
    if (unused.length === 0) return { key, removed: [] };
    const gone = new Set(unused.map(cellKey));
    const result = await editKeyIn(ctx, tx, actor, {
      keyId: key.id,
      expectedVersion: input.expectedVersion,
      cells: grants.filter((g) => !gone.has(cellKey(g))).map(({ scope, api }) => ({ scope, api })),
      // The confirmation already said which grants go; nothing used goes with them.
      allowReachLoss: true,
      reason: `Not used since ${isoDayOf(input.since)}: removed as an unused grant.`,
    });
    return {
      key: result.key,
      removed: sortCells(unused.map(({ scope, api }) => ({ scope, api }))),
    };
  });
}
