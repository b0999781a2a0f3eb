// Clicks on key lists: paging, Quick view, the Actions menu; and paging the audit log.
import type { App } from "@slack/bolt";
import { DomainError } from "../../domain/errors.ts";
import { enableKey } from "../../domain/keys/enable.ts";
import { getKey } from "../../domain/keys/queries.ts";
import { checkHandover } from "../../domain/keys/reveal-handover.ts";
import { ACTION_ID } from "../blocks/ids.ts";
import { enabledText } from "../blocks/keys.ts";
import { handoverRevealModal } from "../blocks/results.ts";
import {
  auditPageValue,
  decode,
  keyBlockPage,
  keyMenuValue,
  keysPageValue,
  keyValue,
  type ListSource,
} from "../blocks/values.ts";
import type { SlackDeps } from "../deps.ts";
import { auditPage } from "../flows/audit.ts";
import { keyList } from "../flows/key-list.ts";
import { openKeyModal } from "../flows/modals.ts";
import { openModal } from "../flows/open-modal.ts";
import { type Click, onClick } from "./click.ts";

/** The key list a menu was clicked in (its page is in the block id), to redraw it later. */
function listSourceOf(c: Click): ListSource | undefined {
  const blockId = c.body.actions[0]?.block_id ?? "";
  const m = /^key:\d+:(\{.*\})$/.exec(blockId);
  const url = c.body.response_url;
  if (!m?.[1] || !url) return undefined;
  try {
    return { url, ...decode(keyBlockPage, m[1], "") };
  } catch {
    return undefined;
  }
}

export function registerKeyActions(app: App, deps: SlackDeps): void {
  onClick(app, deps, new RegExp(`^${ACTION_ID.keysPage}:`), async (c) => {
    const { offset, text } = c.value(keysPageValue);
    await c.respond({ replace_original: true, ...(await keyList(deps, c.userId, text, offset)) });
  });

  onClick(app, deps, ACTION_ID.quickView, (c) =>
    openKeyModal(c, "quickview", c.value(keyValue).keyId),
  );

  onClick(app, deps, ACTION_ID.keyMenu, async (c) => {
    const { verb, keyId } = c.value(keyMenuValue);
    if (verb !== "enable") {
      await openKeyModal(c, verb, keyId, listSourceOf(c));
      return;
    }
    const key = await enableKey(deps.ctx, c.userId, { keyId });
    await c.answer(enabledText(key));
  });

  onClick(app, deps, ACTION_ID.revealHandover, (c) =>
    openModal(deps, c.client, c.triggerId, "Reveal new secret", async () => {
      const { keyId } = c.value(keyValue);
      const key = await getKey(deps.ctx, keyId).then(
        (k) => k.key,
        (e) => {
          if (e instanceof DomainError && e.code === "not_found") return undefined;
          throw e;
        },
      );
      return handoverRevealModal(checkHandover(key, c.userId));
    }),
  );

  onClick(app, deps, ACTION_ID.auditPage, async (c) => {
    const v = c.value(auditPageValue);
    const message = await auditPage(deps, c.userId, {
      text: v.text ?? v.keyRef ?? "",
      before: v.beforeId,
      ...(v.at !== undefined ? { at: new Date(v.at) } : {}),
    });
    await c.respond({ replace_original: true, ...message });
  });
}
