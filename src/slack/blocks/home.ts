// The App Home tab, by role. What each person does most comes first: members ask for access,
// owners decide what is waiting, on-call answers open incidents. Then the keys they answer
// for (owners: every key), requests, and recent activity.
import type { HomeView, KnownBlock } from "@slack/types";
import type { HomeData, Incident } from "../../domain/home.ts";
import { EXPIRING_DAYS } from "../../domain/keys/filter.ts";
import { may } from "../../domain/permissions.ts";
import type { ApiKey } from "../../domain/types.ts";
import { auditLine } from "./admin.ts";
import { ACTION_ID } from "./ids.ts";
import { keyButtons, keyTitle, statusText } from "./keys.ts";
import { actions, button, context, divider, header, packLines, section } from "./layout.ts";
import { decisionButtons, requestLine, whyNoApprove } from "./request-lines.ts";
import { mention, when } from "./text.ts";
import { encode, keyValue } from "./values.ts";

const ROLE_TEXT = {
  owner: "You are an *account owner*: you manage keys, nicknames and roles, and approve requests.",
  oncall: "You are an *on-call engineer*: you rotate or disable any key when it is compromised.",
  member: "You can list keys, look at what a key reaches, and request access.",
} as const;

const REQUEST_TEXT =
  "*Request access* asks the account owners to let a key reach more nicknames or APIs (for a while, or for good), or for a new key. Nothing changes until one of them approves; you get a DM either way.";

function topActions(d: HomeData): KnownBlock[] {
  const member = d.role === "member";
  return [
    actions("home_actions", [
      // Members' one thing to do is prominent; owners' and on-call's is further down.
      button("Request access", ACTION_ID.homeRequest, "request", member ? "primary" : undefined),
      ...(may(d.role, "create") ? [button("Create key", ACTION_ID.homeCreate, "create")] : []),
      button("Refresh", ACTION_ID.homeRefresh, "refresh"),
    ]),
    ...(member ? [context(REQUEST_TEXT)] : []),
  ];
}

function requestBlocks(d: HomeData): KnownBlock[] {
  const decides = may(d.role, "decide");
  const blocks: KnownBlock[] = [
    divider(),
    section(decides ? `*Pending requests* (${d.requests.length})` : "*Your requests*"),
  ];
  if (d.requests.length === 0)
    blocks.push(
      context(decides ? "Nothing waiting for a decision." : "You have not asked for anything yet."),
    );
  for (const r of d.requests) {
    // Why there is no Approve, under the request it is about (no block more: within 100).
    const why = decides ? whyNoApprove(r, d.userId) : null;
    blocks.push(section(`${requestLine(r)}${why ? `\n:no_entry_sign: ${why}` : ""}`));
    if (decides && r.status === "pending") blocks.push(decisionButtons(r, d.userId, "Approve all"));
  }
  return blocks;
}

function incidentBlocks(d: HomeData): KnownBlock[] {
  if (!may(d.role, "rotate")) return [];
  const line = (i: Incident) =>
    `${keyTitle(i.key)} · key owner ${mention(i.key.keyOwner)}\nposted ${when(i.event.at)}${i.event.subject ? ` in <#${i.event.subject}>` : ""} and not rotated since`;
  const blocks: KnownBlock[] = [
    divider(),
    section(`*Open incidents* (${d.incidents.length}) — live keys posted in a channel`),
  ];
  if (d.incidents.length === 0) blocks.push(context("None: every posted key was rotated."));
  for (const i of d.incidents) {
    blocks.push(
      section(line(i)),
      actions(`incident:${i.key.id}`, [
        button(
          "Rotate now",
          `${ACTION_ID.rotateNow}:${i.key.publicId}`,
          encode(keyValue, { keyId: i.key.id }),
          "danger",
        ),
      ]),
    );
  }
  blocks.push(section("*Recent rotations*"));
  blocks.push(
    ...packLines(d.rotations.length ? d.rotations.map(auditLine) : ["_None recently._"], 2),
  );
  blocks.push(section("*Leak alerts*"));
  blocks.push(...packLines(d.leaks.length ? d.leaks.map(auditLine) : ["_None recently._"], 2));
  return blocks;
}

function keyBlocks(d: HomeData, now: Date): KnownBlock[] {
  const blocks: KnownBlock[] = [
    divider(),
    section(
      d.allKeys
        ? `*Keys* (${d.keysTotal}) — every key, which you administer`
        : `*My keys* (${d.keysTotal}) — keys you are the key owner of (\`/apikeys list mine\`)`,
    ),
  ];
  if (d.keys.length === 0)
    blocks.push(context(d.allKeys ? "There are no keys yet." : "You own no keys."));
  for (const key of d.keys) {
    const buttons = keyButtons(d.role, key);
    if (key.handover && key.keyOwner === d.userId) {
      buttons.elements.push(
        button(
          "Reveal new secret",
          ACTION_ID.revealHandover,
          encode(keyValue, { keyId: key.id }),
          "primary",
        ),
      );
    }
    blocks.push(section(keyLine(key, d, now)), buttons);
  }
  if (d.keysTotal > d.keys.length)
    blocks.push(context(`${d.keysTotal - d.keys.length} more in \`/apikeys list\`.`));
  return blocks;
}

/** Owners' short lists: the keys `list expiring` and `list disabled` show, a few of each. */
function watchBlocks(d: HomeData, now: Date): KnownBlock[] {
  if (!d.allKeys) return [];
  const part = (
    title: string,
    list: { keys: ApiKey[]; total: number },
    command: string,
    empty: string,
  ): KnownBlock[] => [
    section(`*${title}* (${list.total})`),
    ...packLines(
      list.keys.length
        ? list.keys.map(
            (k) =>
              `${keyTitle(k)} · ${statusText(k, now)} · key owner ${mention(k.keyOwner)}${k.expiresAt && k.expiresAt > now ? ` · expires ${when(k.expiresAt)}` : ""}`,
          )
        : [`_${empty}_`],
      2,
    ),
    ...(list.total > list.keys.length
      ? [context(`${list.total - list.keys.length} more in \`${command}\`.`)]
      : []),
  ];
  return [
    divider(),
    ...part(
      `Expiring soon — within ${EXPIRING_DAYS} days`,
      d.expiring,
      "/apikeys list expiring",
      "No key expires in the next two weeks.",
    ),
    ...part("Disabled", d.disabled, "/apikeys list disabled", "No key is disabled."),
  ];
}

const keyLine = (key: ApiKey, d: HomeData, now: Date) =>
  `${keyTitle(key)} · ${statusText(key, now)}\n${d.allKeys ? `key owner ${mention(key.keyOwner)} · ` : ""}last used ${when(key.lastUsedAt)}`;

export function homeView(d: HomeData, now: Date): HomeView {
  const activity: KnownBlock[] = [
    divider(),
    section("*Recent activity*"),
    ...packLines(d.activity.length ? d.activity.map(auditLine) : ["_Nothing yet._"], 6),
  ];
  // What the role does most comes right after the header.
  const first =
    d.role === "owner"
      ? [...requestBlocks(d), ...incidentBlocks(d), ...watchBlocks(d, now), ...keyBlocks(d, now)]
      : d.role === "oncall"
        ? [...incidentBlocks(d), ...keyBlocks(d, now), ...requestBlocks(d)]
        : [...keyBlocks(d, now), ...requestBlocks(d)];
  const blocks: KnownBlock[] = [
    header("Keyward — API keys"),
    section(ROLE_TEXT[d.role]),
    ...topActions(d),
    ...first,
    ...activity,
  ];
  return { type: "home", blocks };
}
