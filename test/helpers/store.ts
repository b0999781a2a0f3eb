import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Ctx } from "../../src/domain/context.ts";
import { bootstrapOwners } from "../../src/domain/roles/bootstrap.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { ManualClock } from "./clock.ts";

export const OWNER = "U0OWNER1";
export const OWNER2 = "U0OWNER2";
export const ONCALL = "U0ONCALL";
export const MEMBER = "U0MEMBER";

export interface TestStore {
  store: Store;
  ctx: Ctx;
  clock: ManualClock;
  dir: string;
  path: string;
  cleanup(): void;
}

/** A real SQLite file in a fresh temp folder, with owners bootstrapped. */
export async function testStore(owners: string[] = [OWNER, OWNER2]): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), "keyward-test-"));
  const path = join(dir, "keyward.db");
  const store = openStore(path);
  const clock = new ManualClock();
  const ctx: Ctx = { uow: store.uow, clock };
  await bootstrapOwners(ctx, owners);
  return {
    store,
    ctx,
    clock,
    dir,
    path,
    cleanup() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
