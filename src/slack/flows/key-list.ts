// A key list as `/apikeys list` shows it, from the words typed after `list` (filters and text):
// the command, its Previous/Next and the redraw after a change all read them the same way.
import { invalid } from "../../domain/errors.ts";
import { listKeys } from "../../domain/keys/queries.ts";
import { getRole } from "../../domain/roles/list.ts";
import { keyListMessage, PAGE_SIZE } from "../blocks/keys.ts";
import type { Message } from "../blocks/layout.ts";
import { parseListFilter } from "../commands/parse.ts";
import type { SlackDeps } from "../deps.ts";

export async function keyList(
  deps: SlackDeps,
  userId: string,
  text: string,
  offset: number,
): Promise<Message> {
  const parsed = parseListFilter(text);
  if (!parsed.ok) throw invalid(parsed.error);
  const [page, role] = await Promise.all([
    listKeys(deps.ctx, { filter: parsed.filter, userId, offset, limit: PAGE_SIZE }),
    getRole(deps.ctx, userId),
  ]);
  return keyListMessage({
    page,
    role,
    now: deps.ctx.clock.now(),
    text: text || undefined,
    filter: parsed.filter,
  });
}
