// Every action_id and callback_id the app listens for, in one place.
export const A = {
  listPage: "keys_page",
  quickView: "key_quick_view",
  keyActions: "key_actions",
  auditPage: "audit_page",
  approve: "request_approve",
  deny: "request_deny",
  reveal: "request_reveal",
  digestAct: "digest_act",
  rotateNow: "leak_rotate",
  openHomeRequest: "home_request",
  openHomeCreate: "home_create",
  refreshHome: "home_refresh",
} as const;

export const V = {
  createKey: "key_create",
  editKey: "key_edit",
  regenerate: "key_regenerate",
  delete: "key_delete",
  disable: "key_disable",
  rotate: "key_rotate",
  request: "request_create",
  deny: "request_deny",
  approve: "request_approve",
  reveal: "request_reveal",
  done: "done",
} as const;

/** Overflow options in a key's Actions menu. */
export const KEY_VERBS = ["edit", "regenerate", "rotate", "disable", "enable", "delete"] as const;
export type KeyVerb = (typeof KEY_VERBS)[number];
