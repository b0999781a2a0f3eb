// The App Home tab: your keys, requests, recent activity.
import type { HomeView, KnownBlock } from "@slack/types";
import type { HomeData } from "../../domain/home.ts";
import { may } from "../../domain/permissions.ts";
import { auditLine } from "./admin.ts";
import { ACTION_ID } from "./ids.ts";
import { keyButtons, keyTitle, statusText } from "./keys.ts";
import { actions, button, context, divider, header, packLines, section } from "./layout.ts";
import { decisionButtons, requestLine } from "./request-lines.ts";
import { when } from "./text.ts";

const ROLE_TEXT = {
  owner: "You are an *account owner*: you manage keys, nicknames and roles, and approve requests.",
  oncall:
    "You are an *on-call engineer*: you can rotate or disable any key when it is compromised.",
  member: "You can list keys, look at what a key reaches, and request access.",
} as const;

export function homeView(d: HomeData, now: Date): HomeView {
  const blocks: KnownBlock[] = [
    header("Keyward — API keys"),
    section(ROLE_TEXT[d.role]),
    actions("home_actions", [
      button("Request access", ACTION_ID.homeRequest, "request", "primary"),
      ...(may(d.role, "create") ? [button("Create key", ACTION_ID.homeCreate, "create")] : []),
      button("Refresh", ACTION_ID.homeRefresh, "refresh"),
    ]),
    divider(),
    section(`*Your keys* (${d.myKeysTotal}) — keys you are the key owner of`),
  ];
  if (d.myKeys.length === 0) blocks.push(context("You own no keys."));
  for (const key of d.myKeys) {
    blocks.push(
      section(`${keyTitle(key)} · ${statusText(key, now)}\nlast used ${when(key.lastUsedAt)}`),
      keyButtons(d.role, key),
    );
  }
  if (d.myKeysTotal > d.myKeys.length) blocks.push(context("More in `/apikeys list`."));

  // Those who decide see every pending request; others their own.
  const decides = may(d.role, "decide");
  blocks.push(
    divider(),
    section(decides ? `*Pending requests* (${d.requests.length})` : "*Your requests*"),
  );
  if (d.requests.length === 0)
    blocks.push(
      context(decides ? "Nothing waiting for a decision." : "You have not asked for anything yet."),
    );
  for (const r of d.requests) {
    blocks.push(section(requestLine(r)));
    if (decides && r.status === "pending") blocks.push(decisionButtons(r, "Approve all"));
  }

  blocks.push(divider(), section("*Recent activity*"));
  blocks.push(
    ...packLines(d.activity.length ? d.activity.map((e) => auditLine(e)) : ["_Nothing yet._"], 8),
  );
  return { type: "home", blocks: blocks.slice(0, 100) };
}
