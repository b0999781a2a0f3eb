// The create and edit modals: name, key owner, the permission matrix, expiry.
// The matrix is one short row per API: a multi-select whose chosen nicknames show as chips, so
// the form reads at a glance what each API reaches. Its options are the nicknames that may
// hold the API, plus All accounts: inline while they are few (10), past that looked up as the
// person types, so an account with hundreds of nicknames still gets a small, valid modal.

import { TZDate } from "@date-fns/tz";
import type {
  InputBlock,
  KnownBlock,
  ModalView,
  MultiExternalSelect,
  MultiStaticSelect,
  PlainTextOption,
} from "@slack/types";
import { format } from "date-fns";
import {
  ALL_ACCOUNTS,
  API_IDS,
  API_LABELS,
  type ApiId,
  mayHold,
  withoutImplied,
} from "../../domain/catalog.ts";
import { isLive, reach } from "../../domain/grants.ts";
import { utcMinute } from "../../domain/text.ts";
import type { ApiKey, Grant, Nickname } from "../../domain/types.ts";
import { ACTION_ID, CALLBACK_ID } from "./ids.ts";
import { context, modal, option, section } from "./layout.ts";
import { esc, listSome, plain } from "./text.ts";
import { keyMetaOf, type ListSource } from "./values.ts";

export const FIELD = {
  name: "name",
  keyOwner: "key_owner",
  expires: "expires",
  permPrefix: "perm:",
} as const;
export const permBlock = (api: ApiId) => `${FIELD.permPrefix}${api}`;

const KIND_LABEL = {
  seller: "seller",
  affiliate: "affiliate",
  both: "seller & affiliate",
} as const;

function scopeOption(
  scope: string,
  nicknames: Map<string, Nickname>,
  grant?: Grant,
): PlainTextOption {
  const until = grant?.expiresAt ? ` · until ${utcMinute(grant.expiresAt)}` : "";
  if (scope === ALL_ACCOUNTS)
    return option(`All accounts (incl. linked later)${until}`, ALL_ACCOUNTS);
  const n = nicknames.get(scope);
  return option(`${scope}${n ? ` (${KIND_LABEL[n.kind]})` : ""}${until}`, scope);
}

/** The input for one API's row of the matrix. */
export function permissionInput(api: ApiId, nicknames: Nickname[], grants: Grant[]): InputBlock {
  const byName = new Map(nicknames.map((n) => [n.nickname, n]));
  const eligible = nicknames.filter((n) => mayHold(api, n.kind));
  const held = grants.filter((g) => g.api === api);
  const heldBy = new Map(held.map((g) => [g.scope, g]));
  const scopes = [ALL_ACCOUNTS, ...eligible.map((n) => n.nickname)];
  const opt = (s: string) => scopeOption(s, byName, heldBy.get(s));
  const initial = scopes.filter((s) => heldBy.has(s)).map(opt);
  const hint =
    api === "products"
      ? "Products API is for sellers only, so only seller nicknames are offered."
      : api === "orders:write"
        ? "Read/Write includes Read."
        : undefined;

  // Up to 10 choices go inline; past that the options are loaded as the person types
  // (block_suggestion), so the modal stays small at any number of nicknames. Either way the
  // row is one line of chips, not a column of boxes.
  const preselected = initial.length ? { initial_options: initial } : {};
  const element: MultiStaticSelect | MultiExternalSelect =
    scopes.length <= 10
      ? {
          type: "multi_static_select",
          action_id: ACTION_ID.permissionScopes,
          placeholder: plain("Choose nicknames"),
          options: scopes.map(opt),
          ...preselected,
        }
      : {
          type: "multi_external_select",
          action_id: ACTION_ID.permissionScopes,
          placeholder: plain("Type to find nicknames"),
          min_query_length: 0,
          ...preselected,
        };
  return {
    type: "input",
    block_id: permBlock(api),
    optional: true,
    label: plain(API_LABELS[api]),
    element,
    ...(hint ? { hint: plain(hint) } : {}),
  };
}

export function keyFormModal(p: {
  mode: "create" | "edit";
  actor: string;
  nicknames: Nickname[];
  key?: ApiKey;
  grants?: Grant[];
  /** The time zone of the person filling it in (Slack's users.info); UTC when unknown. */
  tz?: string;
  /** The key list it was opened from, redrawn after saving. */
  source?: ListSource;
  /** MAX_KEY_LIFETIME_DAYS, when set: the expiry is needed, within it. */
  maxLifetimeDays?: number;
  /** When it is opened: what the key reaches now is summed up above the matrix. */
  now?: Date;
}): ModalView {
  const tz = p.tz ?? "UTC";
  const grants = p.grants ?? [];
  const blocks: KnownBlock[] = [];
  if (p.mode === "edit" && p.key) {
    blocks.push(section(`Editing *${esc(p.key.name)}* \`${p.key.publicId}\``));
  }
  blocks.push({
    type: "input",
    block_id: FIELD.name,
    label: plain("Name"),
    hint: plain("Up to 60 characters, unique."),
    element: {
      type: "plain_text_input",
      action_id: "value",
      max_length: 60,
      placeholder: plain("e.g. Billing sync"),
      ...(p.key ? { initial_value: p.key.name } : {}),
    },
  });
  blocks.push({
    type: "input",
    block_id: FIELD.keyOwner,
    label: plain("Key owner"),
    hint: plain("The person responsible for the integration that uses this key."),
    element: { type: "users_select", action_id: "value", initial_user: p.key?.keyOwner ?? p.actor },
  });
  blocks.push(section("*Permissions* — which account nicknames may use each API through this key"));
  if (p.nicknames.length === 0) {
    blocks.push(
      context(
        "No account nicknames are linked yet: only All accounts can be chosen. Owners add nicknames with `/apikeys nickname add <nick> seller|affiliate|both`.",
      ),
    );
  }
  if (p.mode === "edit" && p.now) blocks.push(context(reachSummary(grants, p.nicknames, p.now)));
  for (const api of API_IDS) blocks.push(permissionInput(api, p.nicknames, grants));
  blocks.push({
    type: "input",
    block_id: FIELD.expires,
    optional: true,
    label: plain("Expires on"),
    hint: plain(
      `The last day the key works: it stops at the end of that day in your time zone (${tz}).${p.maxLifetimeDays ? ` Required: keys may live at most ${p.maxLifetimeDays} days.` : ""}`,
    ),
    element: {
      type: "datepicker",
      action_id: "value",
      ...(p.key?.expiresAt ? { initial_date: lastDayOf(p.key.expiresAt, tz) } : {}),
    },
  });
  return modal({
    callbackId: p.mode === "create" ? CALLBACK_ID.createKey : CALLBACK_ID.editKey,
    title: p.mode === "create" ? "Create API key" : "Edit API key",
    submit: p.mode === "create" ? "Create" : "Save",
    blocks,
    // The edited key and the version the person saw.
    privateMetadata: p.key ? keyMetaOf(p.key, p.source) : undefined,
  });
}

/**
 * What the key reaches today, per nickname: the other way round from the rows below (per
 * API), so both questions are answered at a glance. What All accounts gives is said once;
 * nicknames are named only for what they get beyond it.
 */
export function reachSummary(grants: Grant[], nicknames: Nickname[], now: Date): string {
  const live = grants.filter((g) => isLive(g, now));
  const reached = reach(live, nicknames, now);
  const names = (apis: ApiId[]) => apis.map(shortLabel).join(", ");
  const all = withoutImplied(
    API_IDS.filter((a) => live.some((g) => g.scope === ALL_ACCOUNTS && g.api === a)),
  );
  const beyond = [...reached].flatMap(([nick, apis]) => {
    const more = withoutImplied(apis).filter((a) => !all.includes(a));
    return more.length ? [`\`${nick}\` ${names(more)}`] : [];
  });
  const plural = nicknames.length === 1 ? "" : "s";
  return [
    `Today this key reaches ${reached.size} of ${nicknames.length} nickname${plural}.`,
    ...(all.length ? [`All accounts (incl. linked later): ${names(all)}.`] : []),
    ...(beyond.length
      ? [`${all.length ? "Beyond that" : "By name"}: ${listSome(beyond, 8, "; ")}.`]
      : []),
  ].join(" ");
}

/** "Analytics", "Orders/Tickets Read/Write": the row labels without the word API. */
const shortLabel = (api: ApiId) => API_LABELS[api].replace(" API", "");

/**
 * The date a person picks is the last day the key works, in their own time zone: it expires
 * at the midnight that ends that day there (daylight saving time included).
 */
export function expiryFromDate(date: string, tz = "UTC"): Date {
  const [y = 0, m = 1, d = 1] = date.split("-").map(Number);
  return new Date(new TZDate(y, m - 1, d + 1, tz).getTime());
}

/** The day a stored expiry ends, as the date picker shows it to someone in `tz`. */
function lastDayOf(expiresAt: Date, tz: string): string {
  return format(new TZDate(expiresAt.getTime() - 1, tz), "yyyy-MM-dd");
}

/**
 * Options for one API's multi-select, matching what the person typed (name or kind), All
 * accounts first; at most 100, as Slack allows.
 */
export function scopeSuggestions(
  api: ApiId,
  nicknames: Nickname[],
  query: string,
): PlainTextOption[] {
  const q = query.trim().toLowerCase();
  const byName = new Map(nicknames.map((n) => [n.nickname, n]));
  const matches = (s: string) => !q || s.includes(q);
  const scopes = [
    ...(matches("all accounts") ? [ALL_ACCOUNTS] : []),
    ...nicknames
      .filter((n) => mayHold(api, n.kind) && (matches(n.nickname) || matches(KIND_LABEL[n.kind])))
      .map((n) => n.nickname),
  ];
  return scopes.slice(0, 100).map((s) => scopeOption(s, byName));
}
