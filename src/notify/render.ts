// Notices into Slack messages. Most render from what the notice carries; request cards and
// outcomes read the request's current state, so a card delivered late still shows the truth.
import type { Ctx } from "../domain/context.ts";
import type { Notice } from "../domain/notices.ts";
import { type Rendered, renderChange, renderGrantExpired } from "../slack/blocks/notices.ts";

export type Renderer = (
  notice: Notice,
  createdAt: Date,
  recipient: string,
) => Promise<Rendered | null>;

/** Renderers per notice type; features add theirs (requests, on-call). */
export function createRenderer(
  _ctx: Ctx,
  extra: Partial<Record<Notice["type"], Renderer>> = {},
): Renderer {
  return async (notice, createdAt, recipient) => {
    switch (notice.type) {
      case "change":
        return renderChange(notice, createdAt);
      case "grant_expired":
        return renderGrantExpired(notice, createdAt);
      default: {
        const r = extra[notice.type];
        return r ? r(notice, createdAt, recipient) : null;
      }
    }
  };
}

export type { Ctx, Rendered };
