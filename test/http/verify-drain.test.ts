// A shutdown waits for a verification whose lookup is still asking PostgreSQL, even when the
// client has gone meanwhile: the answer's use is recorded before the store closes.
import { connect } from "node:net";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKey } from "../../src/domain/keys/create.ts";
import { addNickname } from "../../src/domain/nicknames/add.ts";
import { type TestApp, testApp, VERIFY_TOKEN } from "../helpers/app.ts";
import { emptyDatabase, fileDatabase, hasPostgres } from "../helpers/pg.ts";
import { MEMBER, OWNER } from "../helpers/store.ts";
import { waitUntil } from "../helpers/wait.ts";

describe.runIf(hasPostgres())("verification during a shutdown, on PostgreSQL", () => {
  let url: string;
  let t: TestApp | undefined;
  let locker: pg.Client | undefined;
  beforeEach(async () => {
    url = await fileDatabase();
    await emptyDatabase(url);
    t = await testApp({ DATABASE_URL: url });
  });
  afterEach(async () => {
    await locker?.end();
    await t?.stop();
  });

  const query = async <R extends pg.QueryResultRow>(text: string): Promise<R[]> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query<R>(text)).rows;
    } finally {
      await c.end();
    }
  };

  it("holds the shutdown until a slow lookup answers, and records the use", async () => {
    if (!t) throw new Error("no app");
    const app = t.app;
    await addNickname(app.ctx, OWNER, { nickname: "acme", kind: "seller" });
    const { secret } = await createKey(app.ctx, OWNER, {
      name: "Billing sync",
      keyOwner: MEMBER,
      cells: [{ scope: "acme", api: "analytics" }],
      expiresAt: null,
    });

    // Another session holds the keys table, so the lookup of this (never cached) key waits.
    locker = new pg.Client({ connectionString: url });
    await locker.connect();
    await locker.query("begin");
    await locker.query("lock table api_keys in access exclusive mode");

    const body = JSON.stringify({ key: secret, nickname: "acme", api: "analytics" });
    const socket = connect(app.port, "127.0.0.1");
    socket.on("error", () => {});
    socket.write(
      "POST /v1/verify HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n" +
        `authorization: Bearer ${VERIFY_TOKEN}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    let waiting = 0;
    const until = Date.now() + 10_000;
    while (waiting === 0 && Date.now() < until) {
      const rows = await query<{ n: string }>(
        "select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%from api_keys%'",
      );
      waiting = Number(rows[0]?.n ?? 0);
    }
    expect(waiting).toBe(1);

    // The client gives up; its connection closes on the server too.
    socket.destroy();
    let open = -1;
    const count = () =>
      app.server.getConnections((_e, n) => {
        open = n;
      });
    count();
    await waitUntil(() => {
      if (open !== 0) count();
      return open === 0;
    }, "the server to see the client go");
    expect(app.requests.size).toBe(1);

    let stopped = false;
    const stopping = app.stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(stopped).toBe(false);

    await locker.query("commit");
    await stopping;
    t = undefined;
    const rows = await query<{ last_used_at: Date | null }>("select last_used_at from api_keys");
    expect(rows[0]?.last_used_at).toBeInstanceOf(Date);
  });
});
