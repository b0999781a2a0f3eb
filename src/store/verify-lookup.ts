// The verification API's reads, on the read-only connection.
//
// A secret carries its key's public id, so the key is found by that short unique id and the
// stored hash compared here; only an old secret needs a second lookup. What a verify reads
// (the key, its grants, nickname kinds) is kept in memory per public id: every commit of this
// process that can change an answer clears it (the store calls `invalidate`), so our own
// changes count at once (a commit that changed nothing clears nothing), and entries are re-read
// after `maxAgeMs`, which bounds staleness for writes by any other process; older entries are
// dropped a generation at a time (fresh-cache.ts), so memory follows the keys in use, not every
// key ever verified. Time-dependent rules (expiries, grace windows) are evaluated
// per request from the cached data, never cached as answers.
//
// Reads that miss share a read snapshot: each statement outside a transaction takes and drops
// a WAL read lock, several system calls that cost more than the lookup itself.
import type Database from "better-sqlite3";
import { ALL_ACCOUNTS, type ApiId, type NicknameKind } from "../domain/catalog.ts";
import type { VerifyKey, VerifyLookup } from "../domain/keys/verify.ts";
import type { Grant } from "../domain/types.ts";
import { FreshCache } from "./fresh-cache.ts";

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

export interface SnapshotLookup extends VerifyLookup {
  /** Something a verify reads may have changed: forget what is cached. */
  invalidate(): void;
  close(): void;
}

export interface LookupOptions {
  /** False when the reader is also the writer (an in-memory database). */
  shareSnapshots: boolean;
  maxAgeMs?: number;
  /** Entries read per `maxAgeMs` kept at most (bounds memory under random ids). */
  maxEntries?: number;
}

export function verifyLookup(sqlite: Database.Database, opts: LookupOptions): SnapshotLookup {
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
  const maxAge = opts.maxAgeMs ?? 1000;
  const maxEntries = opts.maxEntries ?? 100_000;

  const keys = new FreshCache<string, Entry>(maxAge, maxEntries);
  const kinds = new FreshCache<string, NicknameKind | undefined>(maxAge, maxEntries);
  let snapshotAt = 0;
  let idle: NodeJS.Timeout | undefined;

  const release = () => {
    if (sqlite.inTransaction) end.run();
  };
  const snapshot = (now: number) => {
    if (!opts.shareSnapshots) return;
    if (sqlite.inTransaction && now - snapshotAt > maxAge / 10) end.run();
    if (!sqlite.inTransaction) {
      begin.run();
      snapshotAt = now;
      // Do not hold a snapshot while idle: it would keep the WAL from being checkpointed.
      clearTimeout(idle);
      idle = setTimeout(release, maxAge / 10);
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

  return {
    invalidate() {
      keys.clear();
      kinds.clear();
      release();
    },
    close() {
      clearTimeout(idle);
      release();
    },
    bySecretHash(hash, publicId, nickname) {
      const now = performance.now();
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
