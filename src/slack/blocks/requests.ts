// Access requests: the request modal, owners' Approve/Deny cards, outcomes, lists.
import type { KnownBlock, ModalView } from "@slack/types";
import {
  ALL_ACCOUNTS,
  API_IDS,
  API_LABELS,
  type ApiId,
  withoutImplied,
} from "../../domain/catalog.ts";
import { describeCell, permits } from "../../domain/grants.ts";
import type { RequestEscalationNotice } from "../../domain/notices.ts";
import { decisionLines, decisionOf } from "../../domain/requests/decision.ts";
import type { RequestView } from "../../domain/requests/queries.ts";
import { addsWrite, agreedCells } from "../../domain/requests/rules.ts";
import type { AccessRequest, ApiKey, Grant, GrantCell, Nickname } from "../../domain/types.ts";
import { ACTION_ID, CALLBACK_ID } from "./ids.ts";
import { permissionInput } from "./key-form.ts";
import {
  actions,
  button,
  context,
  divider,
  header,
  type Message,
  modal,
  option,
  packLines,
  section,
} from "./layout.ts";
import {
  approvedSoFar,
  DURATION_LABEL,
  decisionButtons,
  mentions,
  requestLine,
  requestTarget,
  STATUS_LABEL,
  whyNoApprove,
} from "./request-lines.ts";
import { cut, esc, listSome, mention, mrkdwnOf, plain, when } from "./text.ts";
import { encode, keyChoiceValue, requestMeta, requestValue } from "./values.ts";

export const keyChoiceOption = (key: Pick<ApiKey, "id" | "name" | "publicId">) =>
  option(cut(`${key.name} (${key.publicId})`, 75), encode(keyChoiceValue, { keyId: key.id }));
export const newKeyOption = () => option("➕ A new key", encode(keyChoiceValue, { newKey: true }));

export function requestModal(p: {
  nicknames: Nickname[];
  /** After the person picked a key: it, and what it already has. */
  chosen?: { key: ApiKey; grants: Grant[] } | "new";
  /** Asking again for what is ending (an expiry reminder's Extend): ticked, for as long. */
  again?: { cells: GrantCell[]; duration: AccessRequest["duration"] };
}): ModalView {
  const ticked: Grant[] = (p.again?.cells ?? []).map((c) => ({
    ...c,
    expiresAt: null,
    requestId: null,
  }));
  const chosenOption =
    p.chosen === "new" ? newKeyOption() : p.chosen ? keyChoiceOption(p.chosen.key) : undefined;
  let current = "Pick a key to see what it already has, or ask for a new key.";
  if (p.chosen === "new") current = "A new key: give it a name below. You become its key owner.";
  else if (p.chosen) {
    const g = p.chosen.grants;
    current = g.length
      ? `*${esc(p.chosen.key.name)}* already has: ${esc(listSome(g.map(describeCell), 30, "; "))}`
      : `*${esc(p.chosen.key.name)}* has no permissions yet.`;
  }
  return modal({
    callbackId: CALLBACK_ID.requestAccess,
    title: "Request access",
    submit: "Send request",
    blocks: [
      {
        type: "input",
        block_id: "key",
        dispatch_action: true,
        label: plain("Key"),
        element: {
          type: "external_select",
          action_id: ACTION_ID.keyChoice,
          placeholder: plain("Type a key's name, or pick “A new key”"),
          min_query_length: 0,
          ...(chosenOption ? { initial_option: chosenOption } : {}),
        },
      },
      context(current),
      // Asked only once "A new key" is picked (the modal is redrawn then).
      ...(p.chosen === "new"
        ? [
            {
              type: "input" as const,
              block_id: "new_name",
              label: plain("Name for the new key"),
              hint: plain("Up to 60 characters, unique."),
              element: { type: "plain_text_input" as const, action_id: "value", max_length: 60 },
            },
          ]
        : []),
      section("*What you need* — the APIs, for which account nicknames"),
      ...API_IDS.map((api) => permissionInput(api, p.nicknames, ticked)),
      {
        type: "input",
        block_id: "duration",
        label: plain("For how long"),
        element: {
          type: "radio_buttons",
          action_id: "value",
          options: (Object.keys(DURATION_LABEL) as Array<keyof typeof DURATION_LABEL>).map((d) =>
            option(d === "permanent" ? "Permanently" : DURATION_LABEL[d], d),
          ),
          ...(p.again
            ? {
                initial_option: option(
                  p.again.duration === "permanent"
                    ? "Permanently"
                    : DURATION_LABEL[p.again.duration],
                  p.again.duration,
                ),
              }
            : {}),
        },
      },
      {
        type: "input",
        block_id: "reason",
        label: plain("Why"),
        hint: plain("10 to 1,000 characters. The account owners see it."),
        element: {
          type: "plain_text_input",
          action_id: "value",
          multiline: true,
          min_length: 10,
          max_length: 1000,
        },
      },
    ],
  });
}

/** Per nickname the request touches: its APIs through this key before → after approval. */
function beforeAfter(
  cells: GrantCell[],
  grants: Grant[],
  nicknames: Nickname[],
  now: Date,
): string[] {
  const after: Grant[] = [
    ...grants,
    ...cells.map((c) => ({ ...c, expiresAt: null, requestId: null })),
  ];
  const scopes = [...new Set(cells.map((c) => c.scope))];
  const label = (apis: ApiId[]) =>
    apis.length
      ? withoutImplied(apis)
          .map((a) => API_LABELS[a])
          .join(", ")
      : "nothing";
  return scopes.map((scope) => {
    if (scope === ALL_ACCOUNTS) {
      const b = API_IDS.filter((a) => grants.some((g) => g.scope === ALL_ACCOUNTS && g.api === a));
      const a = API_IDS.filter((x) => after.some((g) => g.scope === ALL_ACCOUNTS && g.api === x));
      return `*all accounts*: ${label(b)} → *${label(a)}*`;
    }
    const n = nicknames.find((x) => x.nickname === scope);
    if (!n) return `\`${esc(scope)}\`: no longer linked`;
    const b = API_IDS.filter((a) => permits(grants, n.nickname, n.kind, a, now));
    const a = API_IDS.filter((x) => permits(after, n.nickname, n.kind, x, now));
    return `\`${n.nickname}\`: ${label(b)} → *${label(a)}*`;
  });
}

function decision(r: AccessRequest): string {
  const deciders =
    r.status === "approved" && r.approvals.length > 1 ? r.approvals.map((a) => a.by) : null;
  const by = deciders
    ? ` by ${mentions(deciders)}`
    : r.decidedBy && /^[UW]/.test(r.decidedBy)
      ? ` by ${mention(r.decidedBy)}`
      : "";
  const at = r.decidedAt ? ` ${when(r.decidedAt)}` : "";
  switch (r.status) {
    case "approved": {
      const n = r.approvedCells?.length ?? 0;
      return `:white_check_mark: *Approved*${by}${at}: ${n} of ${r.cells.length} permission${r.cells.length === 1 ? "" : "s"} granted.`;
    }
    case "denied":
      return `:x: *Denied*${by}${at}: ${esc(r.decisionReason ?? "")}`;
    case "expired":
      return ":zzz: *Expired* after 7 days without a decision: nothing was granted.";
    case "cancelled":
      return `:heavy_multiplication_x: *Cancelled*: ${esc(r.decisionReason ?? "")}`;
    default:
      return "";
  }
}

/** The decision as recorded: who decided, what was granted until when, what was not and why. */
function decisionBlocks(r: AccessRequest, maxBlocks: number): KnownBlock[] {
  const blocks: KnownBlock[] = [section(decision(r))];
  const d = decisionOf(r);
  if (!d || r.status !== "approved") return blocks;
  const lines = decisionLines(d, r.decidedBy);
  const half = Math.max(2, Math.floor((maxBlocks - 3) / 2));
  if (lines.granted.length)
    blocks.push(section("*Granted*"), ...packLines(lines.granted.map(mrkdwnOf), half));
  if (lines.notGranted.length)
    blocks.push(section("*Not granted*"), ...packLines(lines.notGranted.map(mrkdwnOf), half));
  return blocks;
}

/** Each approval so far: who, when, and what they left unticked. */
function approvalLines(r: AccessRequest): string[] {
  return r.approvals.map((a) => {
    const left = r.cells.filter(
      (c) => !a.cells.some((x) => x.scope === c.scope && x.api === c.api),
    );
    const unticked = left.length
      ? `, leaving unticked ${esc(listSome(left.map(describeCell), 10, "; "))}`
      : "";
    return `:ballot_box_with_check: *Approved by ${mention(a.by)}* ${when(a.at)}${unticked}`;
  });
}

/**
 * The card every owner gets; redrawn from the request's state after each approval and the
 * decision. `viewer`: whose copy it is (the requester and who approved already are offered no
 * Approve, and told why); unknown, it offers both.
 */
export function requestCard(v: RequestView, now: Date, viewer?: string): Message {
  const r = v.request;
  const blocks: KnownBlock[] = [
    header(`Access request #${r.id}`),
    section(
      `${mention(r.requester)} asks for access on ${requestTarget(r)}${v.key ? ` \`${v.key.publicId}\`` : ""}`,
    ),
    {
      type: "section",
      fields: [
        { type: "mrkdwn", text: `*For*\n${DURATION_LABEL[r.duration]}` },
        { type: "mrkdwn", text: `*Asked*\n${when(r.createdAt)}` },
      ],
    },
    section(`*Why:* ${esc(r.reason)}`),
  ];
  if (r.status === "pending") {
    // What is still open: what every approving owner so far left checked.
    const open = agreedCells(r.cells, r.approvals);
    if (r.approvals.length) {
      blocks.push(
        ...packLines(approvalLines(r), 3),
        context(
          `${approvedSoFar(r, v.waitingFor)}. Only what every approving owner leaves checked is granted.`,
        ),
      );
    } else if (v.waitingFor > 1 && addsWrite(r.cells)) {
      blocks.push(
        context(
          `:lock: It adds a write API, so it needs approvals from ${v.waitingFor} different account owners.`,
        ),
      );
    }
    blocks.push(
      section("*What would change* (before → after)"),
      ...packLines(beforeAfter(open, v.grants, v.nicknames, now), 8),
    );
    const why = whyNoApprove(r, viewer);
    if (!why) {
      const checked = open.map((c) => option(describeCell(c), `${c.scope}|${c.api}`));
      for (let i = 0; i < checked.length && i < 100; i += 10) {
        const part = checked.slice(i, i + 10);
        blocks.push(
          actions(`cells:${i / 10}`, [
            {
              type: "checkboxes",
              action_id: ACTION_ID.requestCells,
              options: part,
              initial_options: part,
            },
          ]),
        );
      }
      blocks.push(context("Uncheck anything you do not want to grant, then Approve."));
    } else {
      blocks.push(context(why));
    }
    blocks.push(decisionButtons(r, viewer));
    blocks.push(context(`Undecided, it expires ${when(r.expiresAt)}.`));
  } else {
    blocks.push(divider(), ...decisionBlocks(r, 50 - blocks.length - 1));
  }
  return {
    text: `Access request #${r.id} from ${r.requester}: ${STATUS_LABEL[r.status]}${r.status === "pending" && r.approvals.length ? " (approved once, needs another owner)" : ""}`,
    blocks,
  };
}

/** What the requester hears when an approval is recorded and another is needed. */
export function requestProgress(v: RequestView): Message {
  const r = v.request;
  if (r.status !== "pending") return requestOutcome(v);
  return {
    text: `Your request #${r.id}: approved by one account owner, needs another`,
    blocks: [
      section(`Your request *#${r.id}* for ${requestTarget(r)}:`),
      ...packLines(approvalLines(r), 3),
      section(`${approvedSoFar(r, v.waitingFor)}.`),
      context("Nothing changes until then. You get a DM with the decision."),
    ],
  };
}

/** On-call hear of a request that waited too long: what it is, whom it waits for, what to do. */
export function escalationMessage(v: RequestView, n: RequestEscalationNotice): Message {
  const r = v.request;
  const blocks: KnownBlock[] = [
    section(
      `:rotating_light: *Access request #${r.id} has waited ${n.hours} hours for an account owner*`,
    ),
    section(requestLine(r)),
  ];
  if (r.status === "pending") {
    blocks.push(
      section(
        n.asked.length
          ? `*Waiting for:* ${mentions(n.asked)} (account owners)`
          : "*No other account owner can approve it.* An owner can add one with `/apikeys role add @someone owner`.",
      ),
      context(
        "What you can do: ping the account owners above. You cannot approve it unless you are an account owner yourself; owners decide on their card, in the Keyward Home tab or with `/apikeys requests`.",
      ),
    );
  } else {
    blocks.push(context(`Since then it was decided: ${STATUS_LABEL[r.status]}. Nothing to do.`));
  }
  return { text: `Access request #${r.id} has waited ${n.hours} hours for a decision`, blocks };
}

/** What the requester hears once the request is decided (or lapses). */
export function requestOutcome(v: RequestView): Message {
  const r = v.request;
  const blocks: KnownBlock[] = [
    section(`Your request *#${r.id}* for ${requestTarget(r)}:`),
    ...decisionBlocks(r, 44),
  ];
  if (r.status === "approved") {
    if (r.newKey && v.key) {
      blocks.push(
        section(
          `Your new key *${esc(v.key.name)}* \`${v.key.publicId}\` is ready. Its secret is made when you press Reveal key, and shown once.`,
        ),
        actions(`reveal:${r.id}`, [
          button(
            "Reveal key",
            ACTION_ID.revealKey,
            encode(requestValue, { requestId: r.id }),
            "primary",
          ),
        ]),
      );
    }
  } else if (r.status === "denied" || r.status === "expired") {
    blocks.push(context("You can ask again with `/apikeys request`."));
  }
  return { text: `Your request #${r.id}: ${STATUS_LABEL[r.status]}`, blocks };
}

export function reminderMessage(requests: AccessRequest[]): Message {
  const pending = requests.filter((r) => r.status === "pending");
  return {
    text: `${pending.length} access request(s) waiting over a day`,
    blocks: [
      section(
        `:bell: *${pending.length} access request${pending.length === 1 ? "" : "s"} waiting for a decision for over a day*`,
      ),
      ...packLines(
        pending.map((r) => requestLine(r)),
        20,
      ),
      context("Decide on the cards above, in your Keyward Home tab, or with `/apikeys requests`."),
    ],
  };
}

export function requestsMessage(
  d: { mine: AccessRequest[]; pending: AccessRequest[] },
  viewer?: string,
): Message {
  const blocks: KnownBlock[] = [];
  if (d.pending.length) {
    blocks.push(section(`*Waiting for a decision* (${d.pending.length})`));
    for (const r of d.pending.slice(0, 15)) {
      const why = whyNoApprove(r, viewer);
      blocks.push(
        section(`${requestLine(r)}${why ? `\n:no_entry_sign: ${why}` : ""}`),
        decisionButtons(r, viewer, "Approve all"),
      );
    }
    blocks.push(divider());
  }
  blocks.push(section("*Your requests*"));
  blocks.push(
    ...packLines(
      d.mine.length
        ? d.mine.map((r) => requestLine(r))
        : ["_None yet. Ask with `/apikeys request`._"],
      10,
    ),
  );
  return { text: "Access requests", blocks: blocks.slice(0, 50) };
}

export function denyModal(r: AccessRequest): ModalView {
  return modal({
    callbackId: CALLBACK_ID.denyRequest,
    title: "Deny request",
    submit: "Deny",
    privateMetadata: encode(requestMeta, { requestId: r.id }),
    blocks: [
      section(`Deny ${mention(r.requester)}'s request *#${r.id}* for ${requestTarget(r)}?`),
      {
        type: "input",
        block_id: "reason",
        label: plain("Reason"),
        hint: plain("Up to 1,000 characters. The requester gets it."),
        element: {
          type: "plain_text_input",
          action_id: "value",
          multiline: true,
          max_length: 1000,
        },
      },
    ],
  });
}

export function revealModal(r: AccessRequest, key: ApiKey): ModalView {
  return modal({
    callbackId: CALLBACK_ID.revealKey,
    title: "Reveal your key",
    submit: "Reveal",
    privateMetadata: encode(requestMeta, { requestId: r.id }),
    blocks: [
      section(`*${esc(key.name)}* \`${key.publicId}\``),
      section(
        "Its secret is generated when you press *Reveal* and shown only once. Have a safe place ready to paste it (a secrets manager, not a chat).",
      ),
    ],
  });
}
