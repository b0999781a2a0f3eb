// Clicks on key lists: paging, Quick view, the Actions menu; and paging the audit log.
import type { App } from "@slack/bolt";
import { listAudit } from "../../domain/audit/list.ts";
import { DomainError } from "../../domain/errors.ts";
import { enableKey } from "../../domain/keys/enable.ts";
import { getKey, listKeys } from "../../domain/keys/queries.ts";
import { checkHandover } from "../../domain/keys/reveal-handover.ts";
import { getRole } from "../../domain/roles/list.ts";
import { auditMessage } from "../blocks/admin.ts";
import { ACTION_ID } from "../blocks/ids.ts";
import { enabledText, keyListMessage, PAGE_SIZE } from "../blocks/keys.ts";
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
import { AUDIT_PAGE } from "../commands/reports.ts";
import type { SlackDeps } from "../deps.ts";
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
    const [page, role] = await Promise.all([
      listKeys(deps.ctx, { text: text || undefined, offset, limit: PAGE_SIZE }),
      getRole(deps.ctx, c.userId),
    ]);
    const now = deps.ctx.clock.now();
    await c.respond({
      replace_original: true,
      ...keyListMessage({ page, role, now, text: text || undefined }),
    });
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
    const { beforeId, keyRef } = c.value(auditPageValue);
    const page = await listAudit(deps.ctx, c.userId, { keyRef, beforeId, limit: AUDIT_PAGE });
    await c.respond({
      replace_original: true,
      ...auditMessage(page, keyRef),
    });
  });
}
