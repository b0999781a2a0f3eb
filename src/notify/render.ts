// Notices into Slack messages. Most render from what the notice carries; request cards and
// outcomes read the request's current state, so a card delivered late still shows the truth.
import type { Ctx } from "../domain/context.ts";
import type { Notice } from "../domain/notices.ts";
import { may } from "../domain/permissions.ts";
import { getRequests, getRequestView } from "../domain/requests/queries.ts";
import { getRole } from "../domain/roles/list.ts";
import { expiryReminder } from "../slack/blocks/expiry.ts";
import {
  type Rendered,
  renderChange,
  renderExportFailed,
  renderGrantExpired,
} from "../slack/blocks/notices.ts";
import { renderDigest, renderLeak } from "../slack/blocks/oncall.ts";
import {
  escalationMessage,
  reminderMessage,
  requestCard,
  requestOutcome,
  requestProgress,
} from "../slack/blocks/requests.ts";

/** `recipient`: whom this copy is for (what it offers can depend on their role). */
export type Renderer = (
  notice: Notice,
  createdAt: Date,
  recipient: string,
) => Promise<Rendered | null>;

/** Renders each type of notice (an audit export is a file: the worker delivers it). */
export function createRenderer(ctx: Ctx): Renderer {
  return async (notice, createdAt, recipient) => {
    const now = ctx.clock.now();
    switch (notice.type) {
      case "change":
        return renderChange(notice, createdAt, recipient);
      case "grant_expired":
        return renderGrantExpired(notice, createdAt);
      case "expiry_reminder":
        return expiryReminder(notice);
      case "request_card":
        // Each owner's own copy: the requester and who approved already get no Approve.
        return requestCard(await getRequestView(ctx, notice.requestId), now, recipient);
      case "request_outcome":
        return requestOutcome(await getRequestView(ctx, notice.requestId));
      case "request_progress":
        return requestProgress(await getRequestView(ctx, notice.requestId));
      case "request_escalation":
        return escalationMessage(await getRequestView(ctx, notice.requestId), notice);
      case "request_reminder":
        return reminderMessage(await getRequests(ctx, notice.requestIds));
      case "leak":
        // The Rotate buttons go to those who may rotate, as the table says now.
        return renderLeak(notice, !notice.inThread && may(await getRole(ctx, recipient), "rotate"));
      case "digest":
        return renderDigest(notice);
      case "audit_export":
        return null;
      case "audit_export_failed":
        return renderExportFailed(notice);
    }
  };
}
