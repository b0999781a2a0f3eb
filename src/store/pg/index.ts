// The PostgreSQL store: migrations applied once, a connection pool for use cases, a small one
// for verification misses, and the listener that keeps verification caches fresh across
// instances and this instance's outbox claims recognisable as alive.
import pg from "pg";
import type { Log } from "../../log.ts";
import type { StoreCommon } from "../types.ts";
import { clientConfig, explainConnectError, migrateOnce } from "./connect.ts";
import { PgListener } from "./listener.ts";
import { exclusive, newInstanceKey } from "./locks.ts";
import { pgTx } from "./repos/index.ts";
import { PgUnitOfWork } from "./unit-of-work.ts";
import { type PgLookupOptions, PgVerifyLookup } from "./verify-lookup.ts";

const CHANGES_CHANNEL = "keyward_changes";

export interface PgStore extends StoreCommon {
  backend: "postgres";
  uow: PgUnitOfWork;
  verify: PgVerifyLookup;
  url: string;
  pool: pg.Pool;
}

export interface PgStoreOptions {
  log?: Log;
  /** Connections for use cases (default 10); verification misses have 4 of their own. */
  poolSize?: number;
  verify?: PgLookupOptions;
  /** How often the listener proves its connection alive (default 1 s). */
  heartbeatMs?: number;
  /** Attempts of a use case that keeps failing to serialize (default 8). */
  maxAttempts?: number;
}

export async function openPgStore(url: string, opts: PgStoreOptions = {}): Promise<PgStore> {
  await migrateOnce(url);
  const config = clientConfig(url);
  const pool = new pg.Pool({ ...config, max: opts.poolSize ?? 10 });
  const readers = new pg.Pool({ ...config, max: 4 });
  // An idle pooled connection that breaks is dropped by the pool; say so, do not crash.
  const onIdleError = (e: Error) =>
    opts.log?.warn({ err: e.message }, "a pooled PostgreSQL connection failed");
  pool.on("error", onIdleError);
  readers.on("error", onIdleError);

  const instanceKey = newInstanceKey();
  const verify = new PgVerifyLookup(readers, opts.verify);
  const listener = new PgListener({
    config,
    channel: CHANGES_CHANNEL,
    instanceKey,
    onNotify: () => verify.invalidate(),
    onState: (live) => verify.setTrusted(live),
    log: opts.log,
    heartbeatMs: opts.heartbeatMs,
  });
  const close = async () => {
    await listener.close();
    verify.close();
    await Promise.all([pool.end(), readers.end()]);
  };
  try {
    await listener.start();
  } catch (e) {
    await close();
    throw explainConnectError(e, url);
  }

  let closed = false;
  return {
    backend: "postgres",
    url,
    pool,
    uow: new PgUnitOfWork(pool, {
      makeTx: (db) => pgTx(db, instanceKey),
      notify: { channel: CHANGES_CHANNEL, payload: instanceKey },
      onCommit: () => verify.invalidate(),
      maxAttempts: opts.maxAttempts,
    }),
    verify,
    instanceId: instanceKey,
    exclusive: (name, fn) => exclusive(pool, name, fn),
    async ping() {
      await pool.query("select 1");
    },
    async close() {
      if (closed) return;
      closed = true;
      await close();
    },
  };
}
