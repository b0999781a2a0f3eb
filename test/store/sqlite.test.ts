// What only the SQLite store does: one process per file, one transaction at a time, and a
// verification cache kept until the database changes.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createKey } from "../../src/domain/keys/create.ts";
import { verify } from "../../src/domain/keys/verify.ts";
import { addNickname } from "../../src/domain/nicknames/add.ts";
import { createRequest } from "../../src/domain/requests/create.ts";
import { DatabaseInUse, openReader } from "../../src/store/db.ts";
import { openStore, type SqliteStore } from "../../src/store/index.ts";
import { verifyLookup } from "../../src/store/verify-lookup.ts";
import { DAY } from "../helpers/clock.ts";
import { MEMBER, OWNER, type TestStore, testStore } from "../helpers/store.ts";

let t: TestStore;
let store: SqliteStore;
beforeEach(async () => {
  t = await testStore("sqlite");
  store = t.store as SqliteStore;
});
afterEach(() => t.cleanup());

const newKey = async () => {
  await addNickname(t.ctx, OWNER, { nickname: "acme", kind: "seller" });
  return createKey(t.ctx, OWNER, {
    name: "k",
    keyOwner: MEMBER,
    cells: [{ scope: "acme", api: "analytics" }],
    expiresAt: null,
  });
};

/** A commit by a connection that is not Keyward's (an operator's sqlite3 shell). */
function elsewhere(sql: string): void {
  const other = new Database(t.path as string);
  try {
    other.prepare(sql).run();
  } finally {
    other.close();
  }
}

describe("the SQLite store", () => {
  it("opens with WAL, foreign keys and a busy timeout", () => {
    const db = store.writer.sqlite;
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
  });

  it("stores times as Unix milliseconds and JSON as text, and reads rows stored that way", async () => {
    const { key } = await newKey();
    const at = t.clock.now().getTime();
    const { request } = await createRequest(t.ctx, MEMBER, {
      keyId: key.id,
      cells: [{ scope: "acme", api: "orders:read" }],
      duration: "1d",
      reason: "monthly reports",
    });
    const one = (sql: string) => store.writer.sqlite.prepare(sql).get();
    expect(
      one(`select typeof(created_at) t, created_at v from api_keys where id = ${key.id}`),
    ).toEqual({
      t: "integer",
      v: at,
    });
    expect(
      one(
        `select typeof(cells) t, cells v, expires_at e from access_requests where id = ${request.id}`,
      ),
    ).toEqual({ t: "text", v: '[{"scope":"acme","api":"orders:read"}]', e: at + DAY * 7 });
    expect(
      one("select typeof(at) t, at v, typeof(diff) d from audit_events order by id desc limit 1"),
    ).toEqual({
      t: "integer",
      v: at,
      d: "text",
    });
    expect(one("select typeof(payload) t, typeof(next_attempt_at) n from outbox limit 1")).toEqual({
      t: "text",
      n: "integer",
    });
    // A row written as earlier releases wrote it (by another connection) reads back as Dates
    // and values.
    elsewhere(
      `insert into access_requests (requester, key_id, key_name, new_key, cells, duration, reason, status, created_at, expires_at)
       values ('${MEMBER}', ${key.id}, 'k', 0, '[{"scope":"*","api":"analytics"}]', '7d', 'why', 'pending', 1700000000000, 1700600000000)`,
    );
    const [stored] = await t.store.uow.run((tx) =>
      tx.requests.pendingCreatedBefore(new Date(1700000000000)),
    );
    expect(stored).toMatchObject({
      cells: [{ scope: "*", api: "analytics" }],
      newKey: false,
      createdAt: new Date(1700000000000),
      expiresAt: new Date(1700600000000),
      remindedAt: null,
      approvedCells: null,
    });
  });

  it("serialises concurrent async use cases instead of interleaving them", async () => {
    const order: string[] = [];
    const slow = (name: string) =>
      store.uow.run(async (tx) => {
        order.push(`${name} start`);
        await tx.nicknames.list();
        await new Promise((r) => setTimeout(r, 5));
        await tx.nicknames.list();
        order.push(`${name} end`);
      });
    await Promise.all([slow("a"), slow("b"), slow("c")]);
    expect(order).toEqual(["a start", "a end", "b start", "b end", "c start", "c end"]);
  });

  it("makes the database's folder on first start", async () => {
    const fresh = join(dirname(t.path as string), "new", "folder", "keyward.db");
    const s = openStore(fresh);
    await s.close();
    expect(existsSync(fresh)).toBe(true);
  });

  it("refuses a second store on the same file, saying to use PostgreSQL", () => {
    const e = (() => {
      try {
        openStore(t.path as string);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(DatabaseInUse);
    expect((e as Error).message).toMatch(
      /^DATABASE_PATH: .* is in use by another Keyward process\. .*PostgreSQL database \(DATABASE_URL\)/,
    );
  });

  it("refuses a second process on the same file, and lets the next one in once it is gone", async () => {
    const src = fileURLToPath(new URL("../../src/store/index.ts", import.meta.url));
    const second = () =>
      spawnSync(
        process.execPath,
        [
          "--import",
          "tsx",
          "--input-type=module",
          "-e",
          `import { openStore } from ${JSON.stringify(src)};
           try { await openStore(process.env.KW_DB).close(); console.log("opened"); }
           catch (e) { console.log(e.message); process.exitCode = 3; }`,
        ],
        { env: { ...process.env, KW_DB: t.path }, encoding: "utf8", timeout: 30_000 },
      );
    const refused = second();
    expect(refused.status).toBe(3);
    expect(refused.stdout).toMatch(/in use by another Keyward process/);
    await store.close();
    const admitted = second();
    expect(admitted.stdout.trim()).toBe("opened");
    expect(admitted.status).toBe(0);
  });

  it("notices a commit by another connection through data_version", async () => {
    const { secret } = await newKey();
    const ask = () =>
      verify(store.verify, t.clock.now(), {
        key: secret,
        check: { nickname: "acme", api: "analytics" },
      });
    expect(await ask()).toMatchObject({ answer: { allowed: true } });
    elsewhere("update api_keys set status = 'disabled'");
    const until = Date.now() + 5000;
    while ((await ask()).answer.valid && Date.now() < until)
      await new Promise((r) => setTimeout(r, 2));
    expect((await ask()).answer).toEqual({ valid: false, reason: "disabled" });
  });

  it("keeps cached answers however old while the database has not changed", async () => {
    const { secret } = await newKey();
    let changed = false;
    const reader = openReader(t.path as string);
    const lookup = verifyLookup(reader.sqlite, {
      shareSnapshots: true,
      changedElsewhere: () => changed,
      checkEveryMs: 0,
    });
    const now = vi.spyOn(performance, "now");
    try {
      const ask = () =>
        verify(lookup, t.clock.now(), {
          key: secret,
          check: { nickname: "acme", api: "analytics" },
        });
      now.mockReturnValue(1_000);
      expect(await ask()).toMatchObject({ answer: { allowed: true } });
      // Changed behind a probe that says it was not: an hour later the cache still answers,
      // so nothing re-reads blindly on a timer…
      elsewhere("update api_keys set status = 'disabled'");
      now.mockReturnValue(3_601_000);
      expect(await ask()).toMatchObject({ answer: { allowed: true } });
      // …and the probe alone decides.
      changed = true;
      expect((await ask()).answer).toEqual({ valid: false, reason: "disabled" });
    } finally {
      now.mockRestore();
      lookup.close();
      reader.close();
    }
  });
});
