// The verification API's reads on SQLite, on the read-only connection.
//
// A secret carries its key's public id, so the key is found by that short unique id and the
// stored hash compared here; only an old secret needs a second lookup. What a verify reads
// (the key, its grants, nickname kinds) is kept in memory per public id until it may have
// changed: every commit of this process that can change an answer clears it (the store calls
// `invalidate`), so our own changes count at once, and a commit by any other connection (an
// operator's sqlite3 shell; a second Keyward is refused) is noticed by the writer
// connection's `PRAGMA data_version`, asked at most every `checkEveryMs`. Time-dependent rules
// (expiries, grace windows) are evaluated per request from the cached data, never cached as
// answers. Entries are dropped a generation at a time when a generation fills (fresh-cache.ts),
// so memory stays bounded however many keys are verified, without any re-read on a timer.
//
// Reads that miss share a read snapshot: each statement outside a transaction takes and drops
// a WAL read lock, several system calls that cost more than the lookup itself.
import type Database from "better-sqlite3";
import { ALL_ACCOUNTS, type ApiId, type NicknameKind } from "../domain/catalog.ts";
import type { VerifyKey } from "../domain/keys/verify.ts";
import type { Grant } from "../domain/types.ts";
import { FreshCache } from "./fresh-cache.ts";
import type { VerifyCache } from "./types.ts";

type KeyRow = [
  id: number,
  publicId: string,
  name: string,
  status: "active" | "disabled",
  expiresAt: number | null,
  secretHash: string | null,
];
type GrantRow = [
  api: string,
  expiresAt: number | null,
  requestId: number | null,
  nickname: string | null,
];

interface Entry {
  key: VerifyKey | null;
  hash: string | null;
  grants: Grant[];
}

export interface LookupOptions {
  /** False when the reader is also the writer (an in-memory database). */
  shareSnapshots: boolean;
  /** True when a connection other than this process's writer committed since the last call. */
  changedElsewhere?: () => boolean;
  checkEveryMs?: number;
  /** How long misses share one read snapshot. */
  snapshotMs?: number;
  /** Entries per cache generation (two are kept): bounds memory under random ids. */
  maxEntries?: number;
}

export function verifyLookup(sqlite: Database.Database, opts: LookupOptions): VerifyCache {
  const keyByPublicId = sqlite
    .prepare(
      "select id, public_id, name, status, expires_at, secret_hash from api_keys where public_id = ?",
    )
    .raw(true);
  const retired = sqlite
    .prepare("select valid_until from retired_secrets where secret_hash = ? and key_id = ?")
    .pluck();
  const grantsOf = sqlite
    .prepare(
      `select g.api, g.expires_at, g.request_id, n.nickname from grants g
       left join nicknames n on n.id = g.nickname_id where g.key_id = ?`,
    )
    .raw(true);
  const kindOf = sqlite.prepare("select kind from nicknames where nickname = ?").pluck();
  const begin = sqlite.prepare("BEGIN");
  const end = sqlite.prepare("COMMIT");
  const snapshotMs = opts.snapshotMs ?? 100;
  const checkEvery = opts.checkEveryMs ?? 10;
  const maxEntries = opts.maxEntries ?? 50_000;

  // No age limit: staleness is the data_version probe's job, memory the generations'.
  const keys = new FreshCache<string, Entry>(Number.POSITIVE_INFINITY, maxEntries);
  const kinds = new FreshCache<string, NicknameKind | undefined>(
    Number.POSITIVE_INFINITY,
    maxEntries,
  );
  let snapshotAt = 0;
  let checkedAt = Number.NEGATIVE_INFINITY;
  let idle: NodeJS.Timeout | undefined;

  const release = () => {
    if (sqlite.inTransaction) end.run();
  };
  const snapshot = (now: number) => {
    if (!opts.shareSnapshots) return;
    if (sqlite.inTransaction && now - snapshotAt > snapshotMs) end.run();
    if (!sqlite.inTransaction) {
      begin.run();
      snapshotAt = now;
      // Do not hold a snapshot while idle: it would keep the WAL from being checkpointed.
      clearTimeout(idle);
      idle = setTimeout(release, snapshotMs);
      idle.unref();
    }
  };

  const load = (publicId: string, now: number): Entry => {
    snapshot(now);
    const k = keyByPublicId.get(publicId) as KeyRow | undefined;
    if (!k) return { key: null, hash: null, grants: [] };
    const grants: Grant[] = [];
    for (const r of grantsOf.all(k[0]) as GrantRow[]) {
      grants.push({
        scope: r[3] ?? ALL_ACCOUNTS,
        api: r[0] as ApiId,
        expiresAt: r[1] === null ? null : new Date(r[1]),
        requestId: r[2],
      });
    }
    return {
      key: { id: k[0], publicId: k[1], name: k[2], status: k[3], expiresAt: k[4] },
      hash: k[5],
      grants,
    };
  };

  const kindFor = (nickname: string, now: number): NicknameKind | undefined => {
    const hit = kinds.get(nickname, now);
    if (hit) return hit.value;
    snapshot(now);
    const kind = (kindOf.get(nickname) as NicknameKind | undefined) ?? undefined;
    kinds.set(nickname, kind, now);
    return kind;
  };

  const forget = () => {
    keys.clear();
    kinds.clear();
    release();
  };

  return {
    invalidate: forget,
    close() {
      clearTimeout(idle);
      release();
    },
    bySecretHash(hash, publicId, nickname) {
      const now = performance.now();
      if (opts.changedElsewhere && now - checkedAt >= checkEvery) {
        checkedAt = now;
        if (opts.changedElsewhere()) forget();
      }
      let entry = keys.get(publicId, now)?.value;
      if (!entry) {
        entry = load(publicId, now);
        keys.set(publicId, entry, now);
      }
      const { key } = entry;
      if (!key) return undefined;
      let retiredUntil: number | null = null;
      if (entry.hash !== hash) {
        // An old secret (or a forged one carrying a real public id): rare, never cached.
        snapshot(now);
        const until = retired.get(hash, key.id) as number | undefined;
        if (until === undefined) return undefined;
        retiredUntil = until;
      }
      return {
        key,
        retiredUntil,
        grants: entry.grants,
        nicknameKind: nickname === undefined ? undefined : kindFor(nickname, now),
      };
    },
  };
}
