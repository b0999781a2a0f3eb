// Notifications as DMs. Rendered at delivery time from the notice the change wrote.
import type { KnownBlock } from "@slack/types";
import { describeCell } from "../../domain/grants.ts";
import type {
  AuditExportFailedNotice,
  ChangeNotice,
  GrantExpiredNotice,
  KeyRef,
} from "../../domain/notices.ts";
import { ACTION_ID } from "./ids.ts";
import { actions, button, context, header, type Message, packLines, section } from "./layout.ts";
import { cut, esc, mention, mrkdwnOf, when } from "./text.ts";
import { encode, keyValue } from "./values.ts";

/** A notification as it is posted. */
export type Rendered = Message;

const keyLabel = (k: KeyRef) => `*${esc(k.name)}* \`${k.publicId}\``;

export function renderChange(n: ChangeNotice, at: Date, recipient?: string): Rendered {
  const blocks: KnownBlock[] = [];
  if (n.urgent) blocks.push(header(`🚨 ${n.title}`));
  const lead = `${n.urgent ? "" : `*${esc(n.title)}*`}${n.key ? `${n.urgent ? "" : " — "}${keyLabel(n.key)}` : ""}\nby ${mention(n.actor)}`;
  blocks.push(section(lead));
  if (n.changes.length)
    blocks.push(
      ...packLines(
        n.changes.map((c) => mrkdwnOf(c)),
        20,
      ),
    );
  if (n.reason) blocks.push(section(`*Reason:* ${esc(cut(n.reason, 2500))}`));
  if (n.incidentLink) {
    // A `|` or `>` in the address would end Slack's link early and show other words.
    const target = n.incidentLink.replace(/\|/g, "%7C").replace(/>/g, "%3E");
    blocks.push(section(`*Incident:* <${target}|${esc(cut(n.incidentLink, 200))}>`));
  }
  if (n.hint) blocks.push(context(mrkdwnOf(n.hint)));
  if (n.key && n.revealFor && n.revealFor === recipient) {
    blocks.push(
      section(
        "*The new secret is yours to reveal.* It is made when you press the button and shown to you once.",
      ),
      actions(`handover:${n.key.id}`, [
        button(
          "Reveal new secret",
          ACTION_ID.revealHandover,
          encode(keyValue, { keyId: n.key.id }),
          "primary",
        ),
      ]),
    );
  }
  blocks.push(context(`Keyward · ${when(at)}`));
  // The fallback (push notifications, screen readers) is mrkdwn too: escaped like the blocks.
  const keyText = n.key ? `: ${esc(n.key.name)} (${n.key.publicId})` : "";
  return { text: cut(`${n.urgent ? "URGENT — " : ""}${esc(n.title)}${keyText}`, 3000), blocks };
}

export function renderGrantExpired(n: GrantExpiredNotice, at: Date): Rendered {
  return {
    text: `Time-bound access ended on ${esc(n.key.name)} (${n.key.publicId})`,
    blocks: [
      section(`*Time-bound access ended* — ${keyLabel(n.key)}`),
      ...packLines(
        n.cells.map((c) => `− ${esc(describeCell(c))}`),
        20,
      ),
      context(
        `${n.requestId ? `Granted by request #${n.requestId}. ` : ""}Ask again with \`/apikeys request\` if it is still needed · ${when(at)}`,
      ),
    ],
  };
}

export function renderExportFailed(n: AuditExportFailedNotice): Rendered {
  const what = `${n.count} audit event${n.count === 1 ? "" : "s"} (${mrkdwnOf(n.description)})`;
  const why = {
    not_allowed: "you may no longer read the audit log.",
    slack:
      "Slack would not take the file. Nothing was shared; try `/apikeys audit export` again in a while.",
    unconfirmed:
      "Slack never confirmed the file was shared. If it is not above in this DM, try `/apikeys audit export` again.",
  }[n.reason];
  return {
    text: "Your audit export could not be delivered",
    blocks: [section(`:warning: *Your audit export could not be delivered*: ${what} — ${why}`)],
  };
}
