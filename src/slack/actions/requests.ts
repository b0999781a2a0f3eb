// Clicks around access requests: picking the key in the request modal, the owners' cards
// (checkboxes, Approve, Deny), and Reveal key.
import type { App, BlockAction, ExternalSelectAction } from "@slack/bolt";
import { isApiId } from "../../domain/catalog.ts";
import { DomainError, forbidden, invalid } from "../../domain/errors.ts";
import { getKey, listKeys } from "../../domain/keys/queries.ts";
import { listNicknames } from "../../domain/nicknames/list.ts";
import { checkPermission } from "../../domain/permissions.ts";
import { AlreadyDecided, approveRequest } from "../../domain/requests/decide.ts";
import { getRequestView } from "../../domain/requests/queries.ts";
import { NOT_YOURS } from "../../domain/requests/reveal.ts";
import type { GrantCell } from "../../domain/types.ts";
import { ACTION_ID } from "../blocks/ids.ts";
import {
  denyModal,
  keyChoiceOption,
  newKeyOption,
  requestModal,
  revealModal,
} from "../blocks/requests.ts";
import { esc } from "../blocks/text.ts";
import { decode, keyChoiceValue, requestValue } from "../blocks/values.ts";
import type { SlackDeps } from "../deps.ts";
import { publishHome } from "../events/home.ts";
import { openModal } from "../flows/open-modal.ts";
import { onClick } from "./click.ts";

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
  app.options<"block_suggestion">({ action_id: ACTION_ID.keyChoice }, async ({ ack, body }) => {
    try {
      const text = String(body.value ?? "").slice(0, 100);
      const page = await listKeys(deps.ctx, { text: text || undefined, offset: 0, limit: 99 });
      await ack({ options: [newKeyOption(), ...page.items.map((i) => keyChoiceOption(i.key))] });
    } catch (e) {
      deps.log.warn({ err: e }, "could not suggest keys");
      await ack({ options: [newKeyOption()] });
    }
  });

  // Picking the key redraws the modal with what that key already has.
  app.action<BlockAction<ExternalSelectAction>>(
    ACTION_ID.keyChoice,
    async ({ ack, body, action, client }) => {
      await ack();
      const view = body.view;
      if (!view) return;
      try {
        const picked = decode(keyChoiceValue, action.selected_option?.value, "Pick a key.");
        const chosen = "keyId" in picked ? await getKey(deps.ctx, picked.keyId) : "new";
        await client.views.update({
          view_id: view.id,
          hash: view.hash,
          view: requestModal({ nicknames: await listNicknames(deps.ctx), chosen }),
        });
      } catch (e) {
        // hash_conflict: the person changed the modal again meanwhile; their newer pick redraws it.
        deps.log.debug({ err: e }, "request modal not redrawn");
      }
    },
  );

  // Checking and unchecking cells on a card only changes the card's state until Approve.
  app.action(ACTION_ID.requestCells, async ({ ack }) => {
    await ack();
  });

  onClick(app, deps, ACTION_ID.approveRequest, async (c) => {
    const { body } = c;
    const { granted, notGranted, request, waitingFor } = await approveRequest(deps.ctx, c.userId, {
      requestId: c.value(requestValue).requestId,
      cells: checkedCells(body.state ?? body.view?.state),
    });
    // A card in a DM is redrawn for every owner; the Home tab is published again; an
    // ephemeral list (which cannot be redrawn) gets a line saying what was done.
    if (body.view?.type === "home") await publishHome(deps, c.client, c.userId);
    else if (body.container?.type === "message" && !body.message)
      await c.respond({
        response_type: "ephemeral",
        replace_original: false,
        text: waitingFor
          ? `:ballot_box_with_check: Your approval of request #${request.id} is recorded. It adds a write API, so it needs ${waitingFor === 1 ? "one more account owner's approval" : `${waitingFor} more account owners' approvals`}; the requester has been told.`
          : `:white_check_mark: Approved request #${request.id}: ${granted.length} granted${notGranted.length ? `, ${notGranted.length} not granted` : ""}. ${esc("The requester has been told.")}`,
      });
  });

  onClick(app, deps, ACTION_ID.denyRequest, (c) =>
    openModal(deps, c.client, c.triggerId, "Deny request", async () => {
      // The role first: a refusal must not tell which requests exist.
      await checkPermission(deps.ctx, c.userId, "decide");
      const { request } = await getRequestView(deps.ctx, c.value(requestValue).requestId);
      if (request.status !== "pending") throw new AlreadyDecided(request);
      return denyModal(request);
    }),
  );

  onClick(app, deps, ACTION_ID.revealKey, (c) =>
    openModal(deps, c.client, c.triggerId, "Reveal your key", async () => {
      // Someone else's request and no request at all get the same refusal.
      const v = await getRequestView(deps.ctx, c.value(requestValue).requestId).catch((e) => {
        if (e instanceof DomainError && e.code === "not_found") return undefined;
        throw e;
      });
      if (v?.request.requester !== c.userId) throw forbidden(NOT_YOURS);
      if (!v.key || v.key.hasSecret || v.request.revealedAt) {
        throw new DomainError(
          "already_decided",
          "This key was already revealed, and its secret is shown only once. Ask an account owner to regenerate it if it is lost.",
        );
      }
      return revealModal(v.request, v.key);
    }),
  );
}
