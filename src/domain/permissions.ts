// Who may do what, written once: each verb, the roles that may do it, and the sentence a
// refusal says. The use cases enforce it from the database at the moment of each action; the
// Slack surfaces read the same table to decide what to offer; the authorization matrix test
// takes its expected outcomes from it.
import type { Ctx } from "./context.ts";
import { forbidden } from "./errors.ts";
import type { Tx } from "./ports.ts";
import { userRef } from "./text.ts";
import type { Role } from "./types.ts";

interface Rule {
  roles: readonly Role[];
  /** Completes "Only … can <what>." */
  what: string;
  /** Where to turn instead, after the refusal. */
  instead?: string;
}

const EVERYONE: readonly Role[] = ["owner", "oncall", "member"];
const OWNERS: readonly Role[] = ["owner"];
const RESPONDERS: readonly Role[] = ["owner", "oncall"];

export const PERMISSIONS = {
  view: { roles: EVERYONE, what: "see keys" },
  request: { roles: EVERYONE, what: "ask for access" },
  create: { roles: OWNERS, what: "create keys", instead: "Ask for one with `/apikeys request`." },
  edit: { roles: OWNERS, what: "edit keys" },
  regenerate: {
    roles: OWNERS,
    what: "regenerate keys",
    instead: "On-call engineers can use `/apikeys rotate` for a compromised key.",
  },
  rotate: {
    roles: RESPONDERS,
    what: "rotate a compromised key",
    instead: "Ask an account owner or an on-call engineer (`/apikeys roles` lists them).",
  },
  disable: { roles: RESPONDERS, what: "disable keys" },
  enable: { roles: OWNERS, what: "enable keys" },
  delete: { roles: OWNERS, what: "delete keys" },
  decide: { roles: OWNERS, what: "decide access requests" },
  extend: {
    roles: OWNERS,
    what: "extend keys and time-bound access directly",
    instead: "Whoever asked for time-bound access can ask for more from their own reminder.",
  },
  letExpire: {
    roles: OWNERS,
    what: "let any key or time-bound access expire",
    instead: "A key owner can for their key, and whoever asked for time-bound access for theirs.",
  },
  audit: { roles: RESPONDERS, what: "read the audit log" },
  digest: { roles: RESPONDERS, what: "see the key hygiene digest" },
  nicknames: { roles: OWNERS, what: "add or remove account nicknames" },
  roles: { roles: OWNERS, what: "change roles" },
} as const satisfies Record<string, Rule>;

export type Verb = keyof typeof PERMISSIONS;

const WHO: Record<string, string> = {
  owner: "account owners",
  "owner,oncall": "account owners and on-call engineers",
};

export function may(role: Role, verb: Verb): boolean {
  return PERMISSIONS[verb].roles.includes(role);
}

/** What someone is told when the table says no. */
export function refusal(verb: Verb): string {
  const rule: Rule = PERMISSIONS[verb];
  const who = WHO[rule.roles.join(",")] ?? rule.roles.join(" or ");
  return `Only ${who} can ${rule.what}.${rule.instead ? ` ${rule.instead}` : ""}`;
}

/** A stored role, or on-call through the Slack user group, or member. */
export async function roleOf(ctx: Ctx, tx: Tx, userId: string): Promise<Role> {
  const stored = await tx.roles.get(userId);
  if (stored) return stored;
  return ctx.oncallGroup?.has(userId) ? "oncall" : "member";
}

/** Changes to a key, which a key owner may expect to make themselves. */
const KEY_CHANGES: readonly Verb[] = ["edit", "regenerate", "disable", "enable", "delete"];

/** "A, B and C". */
function people(ids: string[]): string {
  const refs = ids.map(userRef);
  return refs.length <= 1 ? (refs[0] ?? "") : `${refs.slice(0, -1).join(", ")} and ${refs.at(-1)}`;
}

/**
 * Refuses unless the table lets the user's role do this; inside the use case's transaction.
 * Where account owners may, the refusal names them, and tells a key owner (who may think the
 * key is theirs to change) what their role is.
 */
export async function requirePermission(
  ctx: Ctx,
  tx: Tx,
  userId: string,
  verb: Verb,
): Promise<Role> {
  const role = await roleOf(ctx, tx, userId);
  if (may(role, verb)) return role;
  const rule: Rule = PERMISSIONS[verb];
  if (!rule.roles.includes("owner")) throw forbidden(refusal(verb));
  const owners = (await tx.roles.owners()).slice(0, 5);
  const named = owners.length
    ? ` The account owner${owners.length === 1 ? " is" : "s are"} ${people(owners)}.`
    : "";
  const keyOwners = KEY_CHANGES.includes(verb)
    ? " A key owner answers for the integration that uses a key; account owners change keys."
    : "";
  throw forbidden(`${refusal(verb)}${named}${keyOwners}`);
}

/**
 * The same check in a transaction of its own, for surfaces that refuse before showing
 * anything (opening a modal): the use case checks again when it runs.
 */
export function checkPermission(ctx: Ctx, userId: string, verb: Verb): Promise<Role> {
  return ctx.uow.run((tx) => requirePermission(ctx, tx, userId, verb));
}
