import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Ctx } from "../../src/domain/context.ts";
import { bootstrapOwners } from "../../src/domain/roles/bootstrap.ts";
import { openStore, type SqliteStore, type Store } from "../../src/store/index.ts";
import { openPgStore, type PgStoreOptions } from "../../src/store/pg/index.ts";
import { ManualClock } from "./clock.ts";
import { emptyDatabase, fileDatabase, hasPostgres } from "./pg.ts";

export const OWNER = "U0OWNER1";
export const OWNER2 = "U0OWNER2";
export const ONCALL = "U0ONCALL";
export const MEMBER = "U0MEMBER";

export type Backend = "sqlite" | "postgres";

/**
 * The backends a parameterised suite runs on: both, or SQLite alone when no PostgreSQL server
 * could be had (test/setup/postgres.ts says so, and fails the run if it was required).
 */
export const BACKENDS: Backend[] = hasPostgres() ? ["sqlite", "postgres"] : ["sqlite"];

export interface TestStore<S extends Store = Store> {
  backend: Backend;
  store: S;
  ctx: Ctx;
  clock: ManualClock;
  /** SQLite: the database file. */
  path?: string;
  cleanup(): Promise<void>;
}

/** Small pools: test files run in parallel against one server. */
export const TEST_PG: PgStoreOptions = { poolSize: 3 };

/**
 * A fresh store with owners bootstrapped: a real SQLite file in a new temp folder, or this
 * test file's PostgreSQL database emptied.
 */
export async function testStore(
  backend?: "sqlite",
  owners?: string[],
): Promise<TestStore<SqliteStore>>;
export async function testStore(backend: Backend, owners?: string[]): Promise<TestStore>;
export async function testStore(
  backend: Backend = "sqlite",
  owners: string[] = [OWNER, OWNER2],
): Promise<TestStore> {
  let store: Store;
  let path: string | undefined;
  let dir: string | undefined;
  if (backend === "postgres") {
    const url = await fileDatabase();
    await emptyDatabase(url);
    store = await openPgStore(url, TEST_PG);
  } else {
    dir = mkdtempSync(join(tmpdir(), "keyward-test-"));
    path = join(dir, "keyward.db");
    store = openStore(path);
  }
  const clock = new ManualClock();
  const ctx: Ctx = { uow: store.uow, clock };
  await bootstrapOwners(ctx, owners);
  return {
    backend,
    store,
    ctx,
    clock,
    path,
    async cleanup() {
      await store.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
