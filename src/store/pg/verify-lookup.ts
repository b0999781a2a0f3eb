// The verification API's reads on PostgreSQL.
//
// A verify is answered from memory whenever what it needs is cached, synchronously, without
// waiting on the network; only a miss (a key or nickname not read yet, or the cache just
// dropped) returns a promise, which one query per key answers. The cache is dropped
// (`invalidate`) by every commit of this instance that can change an answer, and by the
// NOTIFY every other instance's commit sends (see listener.ts), so a change anywhere stops an
// old secret everywhere within milliseconds. While notifications may be missed (the listener
// is reconnecting) nothing is cached. As a safety net, an entry older than `maxAgeMs` is read
// again in the background while it keeps answering. Time-dependent rules are evaluated per
// request, never cached as answers.
import type pg from "pg";
import { ALL_ACCOUNTS, type ApiId, type NicknameKind } from "../../domain/catalog.ts";
import type { SecretMatch, VerifyKey } from "../../domain/keys/verify.ts";
import type { Grant } from "../../domain/types.ts";
import type { VerifyCache } from "../types.ts";

const ms = (col: string) => `round(extract(epoch from ${col}) * 1000)::float8`;

// One round trip: the key, its grants and its old secrets, from one snapshot.
const KEY_SQL = `
  select k.id, k.public_id, k.name, k.status, ${ms("k.expires_at")}, k.secret_hash,
    coalesce((select json_agg(json_build_array(g.api, ${ms("g.expires_at")}, g.request_id,
                n.nickname) order by g.id)
              from grants g left join nicknames n on n.id = g.nickname_id
              where g.key_id = k.id), '[]'::json),
    coalesce((select json_agg(json_build_array(r.secret_hash, ${ms("r.valid_until")}))
              from retired_secrets r where r.key_id = k.id), '[]'::json)
  from api_keys k where k.public_id = $1`;
const KIND_SQL = "select kind from nicknames where nickname = $1";

type KeyRow = [
  id: number,
  publicId: string,
  name: string,
  status: "active" | "disabled",
  expiresAt: number | null,
  secretHash: string | null,
  grants: Array<
    [api: string, expiresAt: number | null, requestId: number | null, nick: string | null]
  >,
  retired: Array<[hash: string, validUntil: number]>,
];

interface Entry {
  /** When it is read again in the background (performance.now() time). */
  refreshAt: number;
  key: VerifyKey | null;
  hash: string | null;
  grants: Grant[];
  /** Old secrets of the key by hash: when each one's grace window ends. */
  retired: Map<string, number>;
}
interface KindEntry {
  refreshAt: number;
  kind: NicknameKind | undefined;
}
const NO_NICKNAME: KindEntry = { refreshAt: Number.POSITIVE_INFINITY, kind: undefined };

export interface PgLookupOptions {
  /** Safety net: no entry answers older than this; each is read again (in the background) between 3/4 of it and all of it. */
  maxAgeMs?: number;
  /** Entries kept at most; past it the cache starts over (bounds memory under random ids). */
  maxEntries?: number;
}

export class PgVerifyLookup implements VerifyCache {
  private readonly keys = new Map<string, Entry>();
  private readonly kinds = new Map<string, KindEntry>();
  private readonly loadingKeys = new Map<string, Promise<Entry>>();
  private readonly loadingKinds = new Map<string, Promise<KindEntry>>();
  /** Moves on every invalidation: a read begun before it is not cached after it. */
  private generation = 0;
  private trusted = false;
  private readonly maxAge: number;
  private readonly maxEntries: number;

  constructor(
    private readonly pool: pg.Pool,
    opts: PgLookupOptions = {},
  ) {
    this.maxAge = opts.maxAgeMs ?? 30_000;
    this.maxEntries = opts.maxEntries ?? 200_000;
  }

  /** Whether invalidations are arriving; while they are not, nothing is cached. */
  setTrusted(on: boolean): void {
    this.trusted = on;
    this.invalidate();
  }

  invalidate(): void {
    this.generation++;
    this.keys.clear();
    this.kinds.clear();
    this.loadingKeys.clear();
    this.loadingKinds.clear();
  }

  close(): void {
    this.setTrusted(false);
  }

  bySecretHash(
    hash: string,
    publicId: string,
    nickname: string | undefined,
  ): SecretMatch | undefined | Promise<SecretMatch | undefined> {
    const entry = this.keys.get(publicId);
    const kind = nickname === undefined ? NO_NICKNAME : this.kinds.get(nickname);
    if (entry && kind) {
      const now = performance.now();
      if (now > entry.refreshAt) this.background(this.loadKey(publicId));
      if (now > kind.refreshAt) this.background(this.loadKind(nickname as string));
      return match(entry, hash, kind.kind);
    }
    return Promise.all([
      entry ?? this.loadKey(publicId),
      kind ?? this.loadKind(nickname as string),
    ]).then(([e, k]) => match(e, hash, k.kind));
  }

  /**
   * When an entry read now is read again: at a random point in the last quarter of `maxAge`.
   * Entries read together (at start, or after an invalidation: every key in use within a few
   * milliseconds) would otherwise all be read again in the same instant, a thousand queries
   * and their answers at once on the event loop.
   */
  private refreshAt(): number {
    return performance.now() + this.maxAge * (0.75 + Math.random() * 0.25);
  }

  private background(p: Promise<unknown>): void {
    // A failed refresh keeps the entry: no change can commit while the database is unreachable
    // to this instance's listener without the listener noticing and the cache being dropped.
    p.catch(() => {});
  }

  private loadKey(publicId: string): Promise<Entry> {
    const pending = this.loadingKeys.get(publicId);
    if (pending) return pending;
    const generation = this.generation;
    const p = this.pool
      .query<KeyRow>({ text: KEY_SQL, values: [publicId], rowMode: "array" })
      .then((r) => {
        const entry = toEntry(r.rows[0], this.refreshAt());
        if (generation === this.generation && this.trusted) {
          if (this.keys.size >= this.maxEntries) this.keys.clear();
          this.keys.set(publicId, entry);
        }
        return entry;
      })
      .finally(() => {
        if (this.loadingKeys.get(publicId) === p) this.loadingKeys.delete(publicId);
      });
    this.loadingKeys.set(publicId, p);
    return p;
  }

  private loadKind(nickname: string): Promise<KindEntry> {
    const pending = this.loadingKinds.get(nickname);
    if (pending) return pending;
    const generation = this.generation;
    const p = this.pool
      .query<{ kind: NicknameKind }>(KIND_SQL, [nickname])
      .then((r) => {
        const entry: KindEntry = { refreshAt: this.refreshAt(), kind: r.rows[0]?.kind };
        if (generation === this.generation && this.trusted) {
          if (this.kinds.size >= this.maxEntries) this.kinds.clear();
          this.kinds.set(nickname, entry);
        }
        return entry;
      })
      .finally(() => {
        if (this.loadingKinds.get(nickname) === p) this.loadingKinds.delete(nickname);
      });
    this.loadingKinds.set(nickname, p);
    return p;
  }
}

function toEntry(k: KeyRow | undefined, refreshAt: number): Entry {
  if (!k) return { refreshAt, key: null, hash: null, grants: [], retired: new Map() };
  return {
    refreshAt,
    key: { id: k[0], publicId: k[1], name: k[2], status: k[3], expiresAt: k[4] },
    hash: k[5],
    grants: k[6].map(([api, expiresAt, requestId, nick]) => ({
      scope: nick ?? ALL_ACCOUNTS,
      api: api as ApiId,
      expiresAt: expiresAt === null ? null : new Date(expiresAt),
      requestId,
    })),
    retired: new Map(k[7]),
  };
}

function match(
  entry: Entry,
  hash: string,
  nicknameKind: NicknameKind | undefined,
): SecretMatch | undefined {
  if (!entry.key) return undefined;
  let retiredUntil: number | null = null;
  if (entry.hash !== hash) {
    // An old secret, or a forged one carrying a real public id.
    const until = entry.retired.get(hash);
    if (until === undefined) return undefined;
    retiredUntil = until;
  }
  return { key: entry.key, retiredUntil, grants: entry.grants, nicknameKind };
}
