// A filter as the store searches it: the key named looked up now (a live key by its name or
// public id, else the keys whose events recorded that name or id, deleted ones included), and
// an action family spelled out as its actions.
import { invalid, notFound } from "../errors.ts";
import type { AuditQuery, Tx } from "../ports.ts";
import { SYSTEM_ACTOR } from "../roles/bootstrap.ts";
import { quote } from "../text.ts";
import { ACTION_HELP, type AuditFilter, actionsOf } from "./filter.ts";

/** The key a filter named, as it is now or as its newest event recorded it. */
export interface FilterKey {
  /** The live key's id; null when it is known only from its events. */
  keyId: number | null;
  name: string;
  publicId: string | null;
  /** False for a deleted key (or a requested one never made): known only from its events. */
  live: boolean;
}

export interface ResolvedFilter {
  query: AuditQuery;
  key: FilterKey | null;
}

export async function resolveFilter(tx: Tx, f: AuditFilter): Promise<ResolvedFilter> {
  const query: AuditQuery = {};
  if (f.actor !== undefined) {
    if (f.actor !== SYSTEM_ACTOR && !/^[UW][A-Z0-9]{2,20}$/.test(f.actor)) {
      throw invalid("actor: name a person by their user id, or keyward.", "actor");
    }
    query.actor = f.actor;
  }
  if (f.action !== undefined) {
    const actions = actionsOf(f.action);
    if (!actions) throw invalid(`action: give ${ACTION_HELP}.`, "action");
    query.actions = actions;
  }
  if (f.since && f.until && f.since >= f.until) {
    throw invalid("since must be before until.", "until");
  }
  if (f.since) query.since = f.since;
  if (f.until) query.until = f.until;
  let key: FilterKey | null = null;
  if (f.key !== undefined) {
    const ref = f.key.trim();
    if (!ref) throw invalid("key: name a key.", "key");
    const live = (await tx.keys.byName(ref)) ?? (await tx.keys.byPublicId(ref));
    // The key called so now, across its renames; else whichever keys were called so.
    const ids = live ? [live.id] : await tx.audit.keyIdsRecordedAs(ref);
    query.key = { ids, ref };
    if (live) key = { keyId: live.id, name: live.name, publicId: live.publicId, live: true };
    else {
      const [newest] = await tx.audit.search({ key: query.key }, 1);
      if (!newest) {
        throw notFound(
          `No key is or was called or has the id "${quote(ref)}". Try \`/apikeys list\` to see the keys.`,
          "key",
        );
      }
      key = {
        keyId: null,
        name: newest.keyName ?? ref,
        publicId: newest.keyPublicId,
        live: false,
      };
    }
  }
  return { query, key };
}
