// The store the key-scan process reads through refuses writes on both backends.
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PgStore } from "../../src/store/index.ts";
import { openReadOnlyStore, type ReadOnlyStore } from "../../src/store/read-only.ts";
import { BACKENDS, OWNER, type TestStore, testStore } from "../helpers/store.ts";

describe.each(BACKENDS)("the read-only store on %s", (backend) => {
  let t: TestStore;
  let ro: ReadOnlyStore;
  beforeEach(async () => {
    t = await testStore(backend);
    ro = openReadOnlyStore(
      t.store.backend === "postgres"
        ? { url: (t.store as PgStore).url }
        : { path: t.path as string },
    );
  });
  afterEach(async () => {
    await ro.close();
    await t.cleanup();
  });

  it("reads what the app committed, refuses to write, and keeps working after a refusal", async () => {
    expect(await ro.uow.run((tx) => tx.roles.owners())).toContain(OWNER);
    await expect(
      ro.uow.run((tx) => tx.jobRuns.markRun("read-only-probe", new Date())),
    ).rejects.toThrow(/read[- ]?only/i);
    expect(await t.ctx.uow.run((tx) => tx.jobRuns.lastRun("read-only-probe"))).toBeUndefined();
    expect(await ro.uow.run((tx) => tx.roles.owners())).toContain(OWNER);
  });
});

describe("the read-only store on a SQLite file without Keyward's tables", () => {
  it("refuses it at once, and leaves no connection to it open", () => {
    const dir = mkdtempSync(join(tmpdir(), "keyward-ro-"));
    const path = join(dir, "other.db");
    try {
      new Database(path).close();
      const openTo = () =>
        readdirSync("/proc/self/fd").filter((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`) === path;
          } catch {
            return false;
          }
        }).length;
      expect(() => openReadOnlyStore({ path })).toThrow(/no such table/);
      expect(openTo()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
