// Every action_id and callback_id Keyward listens for, in one place, by what each one is.
export const ACTION_ID = {
  /** Previous and Next of a key list; each button gets its own suffix (`keys_page:next`). */
  keysPage: "keys_page",
  quickView: "key_quick_view",
  keyMenu: "key_actions",
  auditPage: "audit_page",
  approveRequest: "request_approve",
  denyRequest: "request_deny",
  revealKey: "request_reveal",
  /** The key owner's Reveal new secret, after someone regenerated or rotated for them. */
  revealHandover: "handover_reveal",
  digestButton: "digest_act",
  /** Remove unused grants: from Quick view or the digest. */
  removeUnused: "grants_remove_unused",
  /** An expiry reminder's Extend and Let it expire. */
  extendExpiry: "expiry_extend",
  letExpire: "expiry_let_expire",
  /** The digest's fix for a key beyond the lifetime policy. */
  fixLifetime: "lifetime_fix",
  /** Rotate now, under a leak warning; one per key (`leak_rotate:<public id>`). */
  rotateNow: "leak_rotate",
  homeRequest: "home_request",
  homeCreate: "home_create",
  homeRefresh: "home_refresh",
  /** One API's permission input: a multi-select, options inline or looked up as one types. */
  permissionScopes: "scopes",
  /** The checkboxes of a request card: what an owner leaves checked is approved. */
  requestCells: "request_cells",
  /** The key picker of the request modal. */
  keyChoice: "key_choice",
  /** The key picker a key command without a key opens (its options, as one types). */
  keyPick: "key_pick",
  /** "Did you mean <key>?" after a key command named no key exactly. */
  keySuggestion: "key_suggestion",
} as const;

export const CALLBACK_ID = {
  createKey: "key_create",
  editKey: "key_edit",
  regenerateKey: "key_regenerate",
  deleteKey: "key_delete",
  disableKey: "key_disable",
  rotateKey: "key_rotate",
  requestAccess: "request_create",
  denyRequest: "request_deny",
  revealKey: "request_reveal",
  revealHandover: "handover_reveal",
  /** An owner's Extend: how long. */
  extendExpiry: "expiry_extend",
  /** Which key, for a key command typed without one. */
  keyPick: "key_pick",
  /** Views with nothing to submit: results, errors, the quick view. */
  done: "done",
} as const;

/** The shortcuts in manifest.yml, by callback_id. */
export const SHORTCUT_ID = {
  /** Message shortcut: Report leaked key. */
  reportLeak: "report_leaked_key",
  /** Global shortcut: Request API access. */
  requestAccess: "request_access",
} as const;

/** The subcommands that act on one key: with a key, or through the key picker without one. */
export const KEY_COMMAND_VERBS = [
  "show",
  "edit",
  "regenerate",
  "rotate",
  "disable",
  "enable",
  "delete",
] as const;
export type KeyCommandVerb = (typeof KEY_COMMAND_VERBS)[number];

/** The verbs of a key's Actions menu, in menu order. */
export const KEY_VERBS = ["edit", "regenerate", "rotate", "disable", "enable", "delete"] as const;
export type KeyVerb = (typeof KEY_VERBS)[number];

/** What the digest's buttons do: disable or edit a key, review a request. */
export const DIGEST_VERBS = ["disable", "edit", "review"] as const;
