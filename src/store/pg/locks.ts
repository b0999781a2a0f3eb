// Advisory locks. Named locks use PostgreSQL's two-key form (Keyward's namespace, hashtext of
// the name); instance liveness locks use the one-key (bigint) form, a separate key space.
import { randomBytes } from "node:crypto";
import type pg from "pg";

/** "KWAR": the first key of every named lock Keyward takes. */
export const LOCK_NS = 0x4b574152;

/** A random positive 63-bit id for a store instance (its liveness lock key). */
export function newInstanceKey(): string {
  return (randomBytes(8).readBigUInt64BE() >> 1n).toString();
}

/**
 * Runs `fn` while holding the named lock on one pooled connection; when another session holds
 * it, does not run and resolves undefined. If this process dies, its session ends and the lock
 * is free again. `fn` does its own work through other connections.
 */
export async function exclusive<R>(
  pool: pg.Pool,
  name: string,
  fn: () => Promise<R>,
): Promise<R | undefined> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const { rows } = await client.query<{ got: boolean }>(
      "select pg_try_advisory_lock($1, hashtext($2)) as got",
      [LOCK_NS, name],
    );
    if (!rows[0]?.got) return undefined;
    try {
      return await fn();
    } finally {
      await client
        .query("select pg_advisory_unlock($1, hashtext($2))", [LOCK_NS, name])
        .catch((e: Error) => {
          // Dropping the connection releases the lock.
          broken = e;
        });
    }
  } finally {
    client.release(broken);
  }
}
