// An expiry reminder's Extend and Let it expire, and the digest's lifetime fix. Each reads the
// subject again and refuses when its date moved since the reminder.
import type { App } from "@slack/bolt";
import { extendChoices, extendOptions } from "../../domain/expiry/extend.ts";
import { fixLifetime } from "../../domain/expiry/fix.ts";
import { letExpire } from "../../domain/expiry/let-expire.ts";
import type { ExpiryTarget } from "../../domain/expiry/target.ts";
import { type ExpiryView, extendModal, letExpireMessage } from "../blocks/expiry.ts";
import { ACTION_ID } from "../blocks/ids.ts";
import { requestModal } from "../blocks/requests.ts";
import { esc, when } from "../blocks/text.ts";
import { expiryValue, lifetimeValue } from "../blocks/values.ts";
import type { SlackDeps } from "../deps.ts";
import { openModal } from "../flows/open-modal.ts";
import { onClick } from "./click.ts";

export const viewOf = (t: ExpiryTarget, at: Date): ExpiryView & { id: number } => ({
  subject: t.subject,
  id: t.id,
  key: { id: t.key.id, name: t.key.name, publicId: t.key.publicId },
  requestId: t.subject === "grants" ? t.id : null,
  cells: t.cells,
  expiresAt: at,
});

export function registerExpiryActions(app: App, deps: SlackDeps): void {
  onClick(app, deps, ACTION_ID.extendExpiry, async (c) => {
    const v = c.value(expiryValue);
    const from = new Date(v.at);
    await openModal(deps, c.client, c.triggerId, "Extend", async () => {
      const o = await extendOptions(deps.ctx, c.userId, { subject: v.subject, id: v.id, from });
      if (o.direct)
        return extendModal(
          viewOf(o.target, from),
          extendChoices(deps.ctx),
          deps.ctx.maxKeyLifetimeDays,
        );
      return requestModal({
        nicknames: o.nicknames,
        chosen: { key: o.target.key, grants: o.grants },
        again: { cells: o.target.cells, duration: o.target.request?.duration ?? "7d" },
      });
    });
  });

  onClick(app, deps, ACTION_ID.letExpire, async (c) => {
    const v = c.value(expiryValue);
    const at = new Date(v.at);
    const { target, already } = await letExpire(deps.ctx, c.userId, {
      subject: v.subject,
      id: v.id,
      at,
    });
    const message = letExpireMessage(viewOf(target, at), c.userId, already);
    if (c.body.container?.type === "message")
      await c.respond({ replace_original: true, ...message });
    else await c.answer(message.text);
  });

  onClick(app, deps, ACTION_ID.fixLifetime, async (c) => {
    const v = c.value(lifetimeValue);
    const r = await fixLifetime(deps.ctx, c.userId, { keyId: v.keyId, version: v.version });
    await c.answer(
      `:white_check_mark: *${esc(r.key.name)}* \`${r.key.publicId}\` now expires ${when(r.key.expiresAt)}. The owners and the key owner have been told.`,
    );
  });
}
