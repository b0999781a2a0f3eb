// On-call surfaces: the compromised-key rotation modal, leak warnings, the hygiene digest.

import type { Button, KnownBlock, ModalView } from "@slack/types";
import { describeCell } from "../../domain/grants.ts";
import { GRACE_WINDOWS, type GraceWindow } from "../../domain/keys/grace.ts";
import type {
  DigestAction,
  DigestNotice,
  KeyRef,
  LeakFinding,
  LeakNotice,
} from "../../domain/notices.ts";
import type { LeakReport } from "../../domain/oncall/leak.ts";
import type { ApiKey, Grant } from "../../domain/types.ts";
import { handToInput } from "./confirm.ts";
import { lifetimeButton } from "./expiry.ts";
import { ACTION_ID, CALLBACK_ID } from "./ids.ts";
import {
  actions,
  button,
  context,
  header,
  type Message,
  modal,
  option,
  packLines,
  section,
} from "./layout.ts";
import { cut, esc, mention, mrkdwnOf, plain, when } from "./text.ts";
import { removeUnusedButton } from "./usage.ts";
import { digestValue, encode, keyMetaOf, keyValue } from "./values.ts";

const GRACE_TEXT: Record<Exclude<GraceWindow, "none">, string> = {
  "1h": "1 hour",
  "24h": "24 hours",
  "7d": "7 days",
};

export function rotateModal(p: {
  key: ApiKey;
  grants: Grant[];
  now: Date;
  actor: string;
}): ModalView {
  const choices = [
    option("Rotate now: the old secret stops at once", "rotate:none"),
    ...(Object.keys(GRACE_WINDOWS) as GraceWindow[])
      .filter((g): g is Exclude<GraceWindow, "none"> => g !== "none")
      .map((g) => option(`Rotate, old secret works ${GRACE_TEXT[g]} more`, `rotate:${g}`)),
    option("Disable the key only (no new secret)", "disable"),
  ];
  return modal({
    callbackId: CALLBACK_ID.rotateKey,
    title: "Rotate compromised key",
    submit: "Do it now",
    privateMetadata: keyMetaOf(p.key),
    blocks: [
      section(
        `:rotating_light: *${esc(p.key.name)}* \`${p.key.publicId}\` — last used ${when(p.key.lastUsedAt)}`,
      ),
      section("*It reaches*"),
      ...packLines(
        p.grants.length ? p.grants.map((g) => `• ${esc(describeCell(g))}`) : ["_No permissions._"],
        10,
      ),
      {
        type: "input",
        block_id: "mode",
        label: plain("What to do"),
        element: {
          type: "radio_buttons",
          action_id: "value",
          options: choices,
          initial_option: choices[0],
        },
      },
      {
        type: "input",
        block_id: "reason",
        label: plain("Reason"),
        hint: plain(
          "Up to 1,000 characters. Every owner and the key owner get it at once, and the audit log keeps it.",
        ),
        element: {
          type: "plain_text_input",
          action_id: "value",
          multiline: true,
          max_length: 1000,
        },
      },
      {
        type: "input",
        block_id: "incident",
        optional: true,
        label: plain("Incident link"),
        hint: plain("A web address (https://…), up to 500 characters."),
        element: {
          type: "plain_text_input",
          action_id: "value",
          max_length: 500,
          placeholder: plain("https://…"),
        },
      },
      ...handToInput(p.key, p.actor),
    ],
  });
}

function findingLine(f: LeakNotice["findings"][number]): string {
  if (f.state === "unknown")
    return `• \`kw_${f.publicId}…\`: a Keyward-format key that matches no key here`;
  const name = f.key ? `*${esc(f.key.name)}* \`${f.publicId}\`` : `\`${f.publicId}\``;
  return f.state === "live"
    ? `• ${name}: *live* — anyone who saw it can use it`
    : `• ${name}: an old secret that no longer works`;
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A person is mentioned; a bot or integration is named by its id. */
const posterText = (poster: string) =>
  /^[UW][A-Z0-9]+$/.test(poster) ? mention(poster) : `the integration \`${esc(poster)}\``;

/**
 * A key-shaped string posted in a channel. In the thread (everyone there sees it): what the
 * poster should do, no button. In a DM: where, with a link to the message, and a Rotate button
 * for each live key to those who may rotate (`canRotate`, from the recipient's role).
 */
export function renderLeak(n: LeakNotice, canRotate = false): Message {
  const live = n.findings.filter(
    (f): f is LeakFinding & { key: KeyRef } => f.state === "live" && f.key !== null,
  );
  const lines = n.findings.map(findingLine);
  if (n.inThread) {
    const person = /^[UW][A-Z0-9]+$/.test(n.poster);
    const who = person ? `${mention(n.poster)}, this` : "This";
    const blocks: KnownBlock[] = [
      section(
        live.length
          ? `:rotating_light: ${who} message contains a *live API key*: anyone who can read this channel can use it. *Delete this message now*${person ? " (⋯ → Delete message)" : ", whoever runs the integration that posted it"}. The account owners and on-call engineers have been told and will rotate the key.`
          : `:warning: ${who} message contains something shaped like a Keyward API key. *Please delete the message*; the account owners have been told.`,
      ),
      ...packLines(lines, 5),
    ];
    return {
      text: live.length ? "A live API key was posted here" : "A key-shaped string was posted here",
      blocks,
    };
  }
  const place = n.conversation === "dm" ? "a direct message" : `<#${n.channel}>`;
  const where = n.permalink
    ? `<${n.permalink.replace(/\|/g, "%7C").replace(/>/g, "%3E")}|this message> in ${place}`
    : `a message in ${place}`;
  const blocks: KnownBlock[] = [
    header(
      live.length
        ? `🚨 Live API key posted in ${n.conversation === "dm" ? "a DM" : "a channel"}`
        : "API key-shaped string posted",
    ),
    section(`${capitalised(posterText(n.poster))} posted it in ${where}.`),
    ...packLines(lines, 5),
  ];
  if (n.reportedBy) {
    blocks.push(
      context(
        `Reported by ${mention(n.reportedBy)} with the *Report leaked key* shortcut. No warning was posted in that conversation: ask ${posterText(n.poster)} to delete the message.`,
      ),
    );
  }
  if (canRotate && live.length) {
    const buttons = live.slice(0, 5).map((f) =>
      button(
        live.length > 1 ? `Rotate ${f.publicId} now` : "Rotate now",
        // Action ids must differ within a block: one button per key.
        `${ACTION_ID.rotateNow}:${f.publicId}`,
        encode(keyValue, { keyId: f.key.id }),
        "danger",
      ),
    );
    blocks.push(
      actions("leak_actions", buttons),
      context(
        "The poster was asked to delete the message; rotating makes the posted secret useless.",
      ),
    );
  } else if (live.length) {
    blocks.push(
      context(
        "The account owners and on-call engineers have been told and rotate it; the key owner then gets the new secret from them.",
      ),
    );
  }
  return {
    text: live.length
      ? `URGENT — a live API key was posted in ${n.conversation === "dm" ? "a direct message" : "a channel"}`
      : "An API key-shaped string was posted",
    blocks,
  };
}

const digestButton = (a: DigestAction): Button => {
  if (a.kind === "unused_grants")
    return removeUnusedButton({ id: a.id, version: a.version }, a.since);
  if (a.kind === "lifetime") return lifetimeButton(a, a.days);
  return button(
    a.label,
    ACTION_ID.digestButton,
    a.kind === "request"
      ? encode(digestValue, { verb: "review", requestId: a.id })
      : encode(digestValue, { verb: a.verb, keyId: a.id }),
  );
};

export function renderDigest(n: DigestNotice): Message {
  const total = n.sections.reduce((s, x) => s + x.items.length, 0);
  const blocks: KnownBlock[] = [header("Keyward — key hygiene")];
  if (total === 0) {
    blocks.push(
      section(
        ":sparkles: Nothing needs attention: no stale, orphaned, over-wide or expiring keys, and no requests waiting.",
      ),
    );
  }
  for (const s of n.sections) {
    if (s.items.length === 0) continue;
    blocks.push(section(`*${esc(s.title)}*`));
    for (const item of s.items) {
      const act = item.action;
      blocks.push(section(cut(mrkdwnOf(item.text), 2900), act ? digestButton(act) : undefined));
    }
  }
  blocks.push(context(`As of ${when(new Date(n.generatedAt))} · \`/apikeys digest\` any time`));
  return { text: "Keyward key hygiene digest", blocks: blocks.slice(0, 50) };
}

/**
 * What the person who used Report leaked key is told: which keys (by name and public id, never
 * the string), and what happens next; or why nothing was sent.
 */
export function leakReportModal(
  r: LeakReport,
  o: { reporter: string; poster: string; limit: number },
): ModalView {
  const blocks: KnownBlock[] = [];
  const own = o.reporter === o.poster;
  const deleteIt = own
    ? "*Delete the message now* (⋯ → Delete message)."
    : `Ask ${posterText(o.poster)} to delete the message (⋯ → Delete message): Keyward does not post in that conversation.`;
  const live = r.findings.filter((f) => f.state === "live");
  if (r.findings.length === 0) {
    blocks.push(
      section(
        r.badChecksum.length
          ? `:mag: This message has ${r.badChecksum.length === 1 ? "a string" : `${r.badChecksum.length} strings`} shaped like a Keyward API key (${r.badChecksum.map((p) => `\`kw_${p}…\``).join(", ")}) whose checksum does not hold: not a real key — mistyped, cut short or made up. Nobody was alerted.`
          : ":mag: Nothing in this message looks like a Keyward API key (`kw_` followed by 46 letters and digits). Nobody was alerted.",
      ),
      context("A key that is not Keyward's (another service's) should be reported to its owner."),
    );
    return modal({ callbackId: CALLBACK_ID.done, title: "Report leaked key", blocks });
  }
  const head = live.length
    ? `:rotating_light: This message holds ${live.length === 1 ? "a *live* API key" : `${live.length} *live* API keys`}: anyone who can read it can use ${live.length === 1 ? "it" : "them"}.`
    : ":warning: This message holds something shaped like a Keyward API key.";
  blocks.push(section(head), ...packLines(r.findings.map(findingLine), 5));
  if (r.badChecksum.length) {
    blocks.push(
      context(
        `Also ${r.badChecksum.length === 1 ? "a string" : `${r.badChecksum.length} strings`} shaped like a key whose checksum does not hold (${r.badChecksum.map((p) => `\`kw_${p}…\``).join(", ")}): not keys.`,
      ),
    );
  }
  if (r.alerted) {
    blocks.push(
      section(
        `*What happens next:* the on-call engineers and the account owners${live.length ? " (and the key owner)" : ""} were told just now, with a link to the message${live.length ? "; they rotate the key, which makes the posted secret useless" : ""}. ${deleteIt}`,
      ),
    );
  } else if (r.alreadyReported) {
    blocks.push(
      section(
        `*Already reported:* on-call and the account owners were told about ${r.findings.length === 1 ? "this key" : "these keys"} in this message before (Keyward found it, or someone reported it). Nothing was sent again. ${deleteIt}`,
      ),
    );
  } else if (r.limited) {
    blocks.push(
      section(
        `:no_entry: *Not sent:* you have reported ${o.limit} leaks in the past hour, as many as one person can. If this one is urgent, tell the on-call engineers directly. ${deleteIt}`,
      ),
    );
  }
  return modal({ callbackId: CALLBACK_ID.done, title: "Report leaked key", blocks });
}
