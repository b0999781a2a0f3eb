// Clicks around access requests: picking the key in the request modal, the owners' cards
// (checkboxes, Approve, Deny), and Reveal key.
import type { App, BlockAction, ButtonAction, ExternalSelectAction } from "@slack/bolt";
import { isApiId } from "../../domain/catalog.ts";
import { DomainError, forbidden, invalid } from "../../domain/errors.ts";
import { getKey, listKeys } from "../../domain/keys/queries.ts";
import { listNicknames } from "../../domain/nicknames/list.ts";
import { checkPermission } from "../../domain/permissions.ts";
import { AlreadyDecided, approveRequest } from "../../domain/requests/decide.ts";
import { getRequestView } from "../../domain/requests/queries.ts";
import { NOT_YOURS } from "../../domain/requests/reveal.ts";
import type { GrantCell } from "../../domain/types.ts";
import { A } from "../blocks/ids.ts";
import {
  CELLS_ACTION,
  denyModal,
  KEY_CHOICE_ACTION,
  keyChoiceOption,
  NEW_KEY,
  newKeyOption,
  requestModal,
  revealModal,
} from "../blocks/requests.ts";
import { esc } from "../blocks/text.ts";
import type { SlackDeps } from "../deps.ts";
import { publishHome } from "../events/home.ts";
import { openModal } from "../flows/open-modal.ts";
import { guarded } from "./guarded.ts";

const requestIdOf = (value: string | undefined): number => {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id <= 0) throw invalid("That button no longer works.");
  return id;
};

/** The cells an owner left checked on a card; undefined when the click came without them. */
function checkedCells(
  state: { values?: Record<string, Record<string, unknown>> } | undefined,
): GrantCell[] | undefined {
  const values = state?.values ?? {};
  const blocks = Object.entries(values).filter(([blockId]) => blockId.startsWith("cells:"));
  if (blocks.length === 0) return undefined;
  const cells: GrantCell[] = [];
  for (const [, actions] of blocks) {
    for (const v of Object.values(actions)) {
      for (const o of (v as { selected_options?: Array<{ value: string }> }).selected_options ??
        []) {
        const [scope = "", api = ""] = o.value.split("|");
        if (!isApiId(api)) throw invalid("That card came back garbled. Use `/apikeys requests`.");
        cells.push({ scope, api });
      }
    }
  }
  return cells;
}

export function registerRequestActions(app: App, deps: SlackDeps): void {
  app.options<"block_suggestion">({ action_id: KEY_CHOICE_ACTION }, async ({ ack, body }) => {
    try {
      const text = String(body.value ?? "").slice(0, 100);
      const page = await listKeys(deps.ctx, { text: text || undefined, offset: 0, limit: 99 });
      await ack({
        options: [newKeyOption(), ...page.items.map((i) => keyChoiceOption(i.key))],
      });
    } catch (e) {
      deps.log.warn({ err: e }, "could not suggest keys");
      await ack({ options: [newKeyOption()] });
    }
  });

  // Picking the key redraws the modal with what that key already has.
  app.action<BlockAction<ExternalSelectAction>>(
    KEY_CHOICE_ACTION,
    async ({ ack, body, action, client }) => {
      await ack();
      const view = body.view;
      if (!view) return;
      try {
        const value = action.selected_option?.value ?? "";
        const chosen =
          value === NEW_KEY
            ? ("new" as const)
            : await getKey(deps.ctx, Number(value.replace(/^k:/, "")));
        const meta = JSON.parse(view.private_metadata || "{}") as { c?: string };
        await client.views.update({
          view_id: view.id,
          hash: view.hash,
          view: requestModal({
            nicknames: await listNicknames(deps.ctx),
            meta: { c: typeof meta.c === "string" ? meta.c.slice(0, 40) : undefined },
            chosen,
          }),
        });
      } catch (e) {
        // hash_conflict: the person changed the modal again meanwhile; their newer pick redraws it.
        deps.log.debug({ err: e }, "request modal not redrawn");
      }
    },
  );

  // Checking and unchecking cells on a card only changes the card's state until Approve.
  app.action(CELLS_ACTION, async ({ ack }) => {
    await ack();
  });

  app.action<BlockAction<ButtonAction>>(
    A.approve,
    async ({ ack, body, action, respond, client }) => {
      await ack();
      await guarded({ deps, client, body, respond }, "approve", async () => {
        const requestId = requestIdOf(action.value);
        const { granted, leftOut, request } = await approveRequest(deps.ctx, body.user.id, {
          requestId,
          cells: checkedCells(body.state ?? body.view?.state),
        });
        deps.kick();
        const msg = `:white_check_mark: Approved request #${request.id}: ${granted.length} granted${leftOut.length ? `, ${leftOut.length} left out` : ""}. ${esc("The requester has been told.")}`;
        if (body.view?.type === "home") await publishHome(deps, client, body.user.id);
        else if (body.container?.type === "message" && !body.message)
          await respond({ response_type: "ephemeral", replace_original: false, text: msg });
      });
    },
  );

  app.action<BlockAction<ButtonAction>>(A.deny, async ({ ack, body, action, respond, client }) => {
    await ack();
    await guarded({ deps, client, body, respond }, "deny", () =>
      openModal(deps, client, body.trigger_id, "Deny request", async () => {
        // The role first: a refusal must not tell which requests exist.
        await checkPermission(deps.ctx, body.user.id, "decide");
        const { request } = await getRequestView(deps.ctx, requestIdOf(action.value));
        if (request.status !== "pending") throw new AlreadyDecided(request);
        return denyModal(request);
      }),
    );
  });

  app.action<BlockAction<ButtonAction>>(
    A.reveal,
    async ({ ack, body, action, respond, client }) => {
      await ack();
      await guarded({ deps, client, body, respond }, "reveal", () =>
        openModal(deps, client, body.trigger_id, "Reveal your key", async () => {
          // Someone else's request and no request at all get the same refusal.
          const v = await getRequestView(deps.ctx, requestIdOf(action.value)).catch((e) => {
            if (e instanceof DomainError && e.code === "not_found") return undefined;
            throw e;
          });
          if (v?.request.requester !== body.user.id) throw forbidden(NOT_YOURS);
          if (!v.key || v.key.hasSecret || v.request.revealedAt) {
            throw new DomainError(
              "already_decided",
              "This key was already revealed, and its secret is shown only once. Ask an account owner to regenerate it if it is lost.",
            );
          }
          return revealModal(v.request, v.key);
        }),
      );
    },
  );
}
