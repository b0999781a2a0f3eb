// Keys as people see them: the list, the detail view, the quick view.

import type { ActionsBlock, Button, KnownBlock, ModalView, Overflow } from "@slack/types";
import {
  ALL_ACCOUNTS,
  API_LABELS,
  type ApiId,
  scopeLabel,
  withoutImplied,
} from "../../domain/catalog.ts";
import { reach } from "../../domain/grants.ts";
import { describeKeyFilter, type KeyFilter } from "../../domain/keys/filter.ts";
import type { KeyPage } from "../../domain/keys/queries.ts";
import { may } from "../../domain/permissions.ts";
import type { ApiKey, Grant, Nickname, Role } from "../../domain/types.ts";
import type { KeyUsage } from "../../domain/usage/summary.ts";
import { ACTION_ID, CALLBACK_ID, KEY_VERBS, type KeyVerb } from "./ids.ts";
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
import { cut, esc, listSome, mention, when } from "./text.ts";
import { usageDetailBlocks, usageQuickBlocks } from "./usage.ts";
import { encode, keyBlockPage, keyMenuValue, keysPageValue, keyValue } from "./values.ts";

export const PAGE_SIZE = 10;

const VERB_LABEL: Record<KeyVerb, string> = {
  edit: "Edit",
  regenerate: "Regenerate",
  rotate: "Rotate (compromised)",
  disable: "Disable",
  enable: "Enable",
  delete: "Delete",
};

/** What a role may do to a key, in menu order; at most 5, as an overflow holds. */
export function verbsFor(role: Role, key: ApiKey): KeyVerb[] {
  const offToggle: KeyVerb = key.status === "active" ? "enable" : "disable";
  return KEY_VERBS.filter((v) => v !== offToggle && may(role, v));
}

function actionsMenu(role: Role, key: ApiKey): Overflow | undefined {
  const verbs = verbsFor(role, key);
  if (verbs.length === 0) return undefined;
  return {
    type: "overflow",
    action_id: ACTION_ID.keyMenu,
    options: verbs.map((verb) =>
      option(VERB_LABEL[verb], encode(keyMenuValue, { verb, keyId: key.id })),
    ),
  };
}

/**
 * Quick view, and the Actions menu when the role may do anything to the key. In a key list,
 * the block id carries the list's page, so a change made from the menu can redraw the list.
 */
export function keyButtons(
  role: Role,
  key: ApiKey,
  page?: { offset: number; text: string },
): ActionsBlock {
  const menu = actionsMenu(role, key);
  const id = page ? `key:${key.id}:${encode(keyBlockPage, page)}` : `key:${key.id}`;
  return actions(id, [
    button("Quick view", ACTION_ID.quickView, encode(keyValue, { keyId: key.id })),
    ...(menu ? [menu] : []),
  ]);
}

export const statusText = (key: ApiKey, now: Date) => {
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return ":hourglass: Expired";
  if (key.status === "disabled") return ":no_entry: Disabled";
  if (key.handover) return ":envelope: New secret waiting for the key owner to reveal it";
  if (!key.hasSecret) return ":envelope: Not revealed yet";
  return ":large_green_circle: Active";
};

export const keyTitle = (key: ApiKey) => `*${esc(key.name)}*  \`${key.publicId}\``;

export const enabledText = (key: ApiKey) =>
  `:white_check_mark: *${esc(key.name)}* \`${key.publicId}\` is enabled again.`;

function keySummary(key: ApiKey, nicknamesReached: number, now: Date): string {
  return [
    `${keyTitle(key)} · ${statusText(key, now)}`,
    `Key owner ${mention(key.keyOwner)} · created ${when(key.createdAt)} · last used ${when(key.lastUsedAt)} · reaches ${nicknamesReached} nickname${nicknamesReached === 1 ? "" : "s"}`,
  ].join("\n");
}

export function keyListMessage(p: {
  page: KeyPage;
  role: Role;
  now: Date;
  /** The words typed after `list`, kept for paging. */
  text?: string;
  /** What those words mean; without it, `text` is a search of names and ids. */
  filter?: KeyFilter;
}): Message {
  const { page, role, now } = p;
  const f: KeyFilter = p.filter ?? (p.text ? { text: p.text } : {});
  const parts = [
    ...describeKeyFilter(f).map(esc),
    ...(f.text ? [`matching “${esc(cut(f.text, 100))}”`] : []),
  ];
  const filter = parts.length ? ` ${parts.join(" · ")}` : "";
  const blocks: KnownBlock[] = [];
  if (page.total === 0) {
    const hint = may(role, "create")
      ? " Create one with `/apikeys create`."
      : " Ask for one with `/apikeys request`.";
    blocks.push(section(parts.length ? `No keys${filter}.` : `There are no API keys yet.${hint}`));
    return { text: "No API keys", blocks };
  }
  const last = Math.min(page.offset + page.items.length, page.total);
  blocks.push(
    section(
      `*API keys*${parts.length ? ` — ${parts.join(" · ")}` : ""} · ${page.offset + 1}–${last} of ${page.total}`,
    ),
  );
  for (const { key, nicknamesReached } of page.items) {
    blocks.push(divider());
    blocks.push(
      section(keySummary(key, nicknamesReached, now)),
      keyButtons(role, key, { offset: page.offset, text: p.text ?? "" }),
    );
  }
  const nav: Button[] = [];
  const text = p.text ? cut(p.text, 100) : "";
  if (page.offset > 0) {
    nav.push(
      button(
        "Previous",
        `${ACTION_ID.keysPage}:prev`,
        encode(keysPageValue, { offset: Math.max(0, page.offset - page.limit), text }),
      ),
    );
  }
  if (last < page.total) {
    nav.push(
      button(
        "Next",
        `${ACTION_ID.keysPage}:next`,
        encode(keysPageValue, { offset: page.offset + page.limit, text }),
      ),
    );
  }
  if (nav.length) blocks.push(actions("keys_nav", nav));
  if (role === "member") blocks.push(context("Need access? `/apikeys request`"));
  return { text: `API keys ${page.offset + 1}–${last} of ${page.total}`, blocks };
}

function grantLine(g: Grant): string {
  const until = g.expiresAt ? ` _(until ${when(g.expiresAt)})_` : "";
  return `• ${API_LABELS[g.api]} on ${g.scope === ALL_ACCOUNTS ? "*all accounts*" : `\`${g.scope}\``}${until}`;
}

/** Nickname → the APIs it can use through this key (All accounts expanded). */
function reachLines(grants: Grant[], nicknames: Nickname[], now: Date): string[] {
  return [...reach(grants, nicknames, now)].map(
    ([nick, apis]) =>
      `\`${nick}\`: ${withoutImplied(apis)
        .map((a: ApiId) => API_LABELS[a])
        .join(", ")}`,
  );
}

export function keyDetailMessage(p: {
  key: ApiKey;
  grants: Grant[];
  nicknames: Nickname[];
  role: Role;
  now: Date;
  usage: KeyUsage;
}): Message {
  const { key, grants, nicknames, now } = p;
  const menu = actionsMenu(p.role, key);
  const blocks: KnownBlock[] = [
    header(cut(key.name, 150)),
    {
      type: "section",
      fields: [
        `*ID*\n\`${key.publicId}\``,
        `*Status*\n${statusText(key, now)}`,
        `*Key owner*\n${mention(key.keyOwner)}`,
        `*Created*\n${when(key.createdAt)} by ${mention(key.createdBy)}`,
        `*Last used*\n${when(key.lastUsedAt)}`,
        `*Regenerated*\n${when(key.regeneratedAt)}`,
        `*Expires*\n${when(key.expiresAt)}`,
        `*Last change*\n${when(key.updatedAt)} by ${mention(key.updatedBy)}`,
      ].map((t) => ({ type: "mrkdwn" as const, text: t })),
      ...(menu ? { accessory: menu } : {}),
    },
    section("*Permissions*"),
    ...packLines(grants.length ? grants.map((g) => grantLine(g)) : ["_No permissions._"], 10),
    section("*Which nicknames can use which APIs*"),
    ...packLines(
      reachLines(grants, nicknames, now).length
        ? reachLines(grants, nicknames, now)
        : ["_No nickname can use any API through this key._"],
      25,
    ),
    ...usageDetailBlocks(p.usage),
  ];
  return { text: `API key ${esc(key.name)} (${key.publicId})`, blocks };
}

export function quickViewModal(p: {
  key: ApiKey;
  grants: Grant[];
  nicknames: Nickname[];
  now: Date;
  usage: KeyUsage;
  role: Role;
}): ModalView {
  const lines = reachLines(p.grants, p.nicknames, p.now);
  const timeBound = p.grants.filter((g) => g.expiresAt);
  return modal({
    callbackId: CALLBACK_ID.done,
    title: "Quick view",
    blocks: [
      section(
        `${keyTitle(p.key)} · ${statusText(p.key, p.now)}\nWhich account nicknames can use which APIs through this key:`,
      ),
      ...packLines(lines.length ? lines : ["_No nickname can use any API through this key._"], 80),
      ...(timeBound.length
        ? [
            context(
              `Time-bound: ${listSome(
                timeBound.map(
                  (g) =>
                    `${API_LABELS[g.api]} on ${scopeLabel(g.scope)} until ${when(g.expiresAt)}`,
                ),
                15,
                "; ",
              )}`,
            ),
          ]
        : []),
      context(`Last used ${when(p.key.lastUsedAt)}`),
      ...usageQuickBlocks(p),
    ],
  });
}
