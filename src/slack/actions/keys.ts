// Clicks on key lists: paging, Quick view, the Actions menu.
import type { App, BlockAction, ButtonAction, OverflowAction } from "@slack/bolt";
import { z } from "zod";
import { listAudit } from "../../domain/audit/list.ts";
import { invalid } from "../../domain/errors.ts";
import { enableKey } from "../../domain/keys/enable.ts";
import { listKeys } from "../../domain/keys/queries.ts";
import { getRole } from "../../domain/roles/list.ts";
import { auditMessage } from "../blocks/admin.ts";
import { A, KEY_VERBS } from "../blocks/ids.ts";
import { keyListMessage, PAGE_SIZE } from "../blocks/keys.ts";
import { esc } from "../blocks/text.ts";
import { AUDIT_PAGE } from "../commands/reports.ts";
import type { SlackDeps } from "../deps.ts";
import { openKeyModal } from "../flows/key-modals.ts";
import { answer, guarded } from "./guarded.ts";

const pageValue = z.object({
  o: z.number().int().min(0).max(1_000_000),
  t: z.string().max(100).default(""),
});
const auditValue = z.object({ b: z.number().int().positive(), k: z.string().max(120).optional() });
const verbValue = z.string().regex(new RegExp(`^(${KEY_VERBS.join("|")}):(\\d{1,12})$`));

function parseJson<T>(schema: z.ZodType<T>, raw: string | undefined): T {
  try {
    return schema.parse(JSON.parse(raw ?? ""));
  } catch {
    throw invalid("That button no longer works. Run the command again.");
  }
}

export function registerKeyActions(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(
    new RegExp(`^${A.listPage}:`),
    async ({ ack, body, action, respond, client }) => {
      await ack();
      await guarded({ deps, client, body, respond }, "list page", async () => {
        const v = parseJson(pageValue, action.value);
        const [page, role] = await Promise.all([
          listKeys(deps.ctx, { text: v.t || undefined, offset: v.o, limit: PAGE_SIZE }),
          getRole(deps.ctx, body.user.id),
        ]);
        await respond({
          replace_original: true,
          ...keyListMessage({ page, role, now: deps.ctx.clock.now(), text: v.t || undefined }),
        });
      });
    },
  );

  app.action<BlockAction<ButtonAction>>(
    A.quickView,
    async ({ ack, body, action, respond, client }) => {
      await ack();
      await guarded({ deps, client, body, respond }, "quick view", async () => {
        const keyId = Number(action.value);
        if (!Number.isSafeInteger(keyId) || keyId <= 0)
          throw invalid("That button no longer works. Run the command again.");
        await openKeyModal(deps, client, {
          verb: "quickview",
          triggerId: body.trigger_id,
          userId: body.user.id,
          key: keyId,
        });
      });
    },
  );

  app.action<BlockAction<OverflowAction>>(
    A.keyActions,
    async ({ ack, body, action, respond, client }) => {
      await ack();
      await guarded({ deps, client, body, respond }, "key actions", async () => {
        const parsed = verbValue.safeParse(action.selected_option?.value);
        if (!parsed.success) throw invalid("That menu no longer works. Run the command again.");
        const [verb, id] = parsed.data.split(":") as [string, string];
        const keyId = Number(id);
        const channel = body.channel?.id;
        if (verb === "enable") {
          const key = await enableKey(deps.ctx, body.user.id, { keyId });
          deps.kick();
          await answer(
            { deps, client, body, respond },
            `:white_check_mark: *${esc(key.name)}* \`${key.publicId}\` is enabled again.`,
          );
          return;
        }
        await openKeyModal(deps, client, {
          verb: verb as "edit" | "regenerate" | "rotate" | "delete" | "disable",
          triggerId: body.trigger_id,
          userId: body.user.id,
          key: keyId,
          channel,
        });
      });
    },
  );

  app.action<BlockAction<ButtonAction>>(
    A.auditPage,
    async ({ ack, body, action, respond, client }) => {
      await ack();
      await guarded({ deps, client, body, respond }, "audit page", async () => {
        const v = parseJson(auditValue, action.value);
        const page = await listAudit(deps.ctx, body.user.id, {
          keyRef: v.k,
          beforeId: v.b,
          limit: AUDIT_PAGE,
        });
        await respond({ replace_original: true, ...auditMessage(page, deps.ctx.clock.now(), v.k) });
      });
    },
  );
}
