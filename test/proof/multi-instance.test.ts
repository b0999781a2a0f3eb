// Three Keyward processes on one PostgreSQL database behind a round-robin proxy, driven through
// the Slack stand-in with signed requests, as a load balancer in front of several instances
// would see them: one edit wins across instances, one decision per request with every card
// updated, a replay sent to another instance is refused, 300 changes notified exactly once
// while one instance is SIGKILLed, the weekly digest sent once, and a change on one instance
// stopping an old secret on the others.
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/domain/clock.ts";
import type { Ctx } from "../../src/domain/context.ts";
import { createKey } from "../../src/domain/keys/create.ts";
import { disableKey } from "../../src/domain/keys/disable.ts";
import { SlackStandIn } from "../../src/sandbox/standin/index.ts";
import { sign } from "../../src/sandbox/standin/signing.ts";
import { openPgStore, type PgStore } from "../../src/store/pg/index.ts";
import { type Child, startMain } from "../helpers/child.ts";
import { emptyDatabase, fileDatabase, hasPostgres } from "../helpers/pg.ts";
import { button, secretIn } from "../helpers/slack/finders.ts";
import {
  BOT_TOKEN,
  GENERAL,
  type Harness,
  PEOPLE,
  SIGNING_SECRET,
  VERIFY_TOKEN,
} from "../helpers/slack/harness.ts";
import { person } from "../helpers/slack/person.ts";

const DAY = 24 * 60 * 60 * 1000;

interface Instance {
  child: Child;
  url: string;
  alive: boolean;
}

/** A round-robin reverse proxy; a backend that refuses the connection is skipped, as by a load balancer's health check. */
function roundRobin(backends: Instance[]): Server {
  let next = 0;
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const tryFrom = (tries: number) => {
        const live = backends.filter((b) => b.alive);
        const b = live[next++ % live.length];
        if (!b || tries > backends.length) {
          res.writeHead(502).end();
          return;
        }
        const u = new URL(req.url ?? "/", b.url);
        const out = request(
          u,
          { method: req.method, headers: { ...req.headers, host: u.host } },
          (r) => {
            res.writeHead(r.statusCode ?? 502, r.headers);
            r.pipe(res);
          },
        );
        out.on("error", () => tryFrom(tries + 1));
        out.end(body);
      };
      tryFrom(0);
    });
  });
}

describe.skipIf(!hasPostgres())("three instances on one PostgreSQL database", () => {
  let url: string;
  let slack: SlackStandIn;
  let proxy: Server;
  let store: PgStore;
  let ctx: Ctx;
  const instances: Instance[] = [];
  let h: Harness;

  const q = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    (await store.pool.query<T>(sql, params)).rows;

  /** Every notification written so far delivered (none pending or being sent). */
  const settled = () =>
    expect
      .poll(
        async () =>
          Number(
            (
              await q<{ n: string }>(
                "select count(*) as n from outbox where status in ('pending', 'sending')",
              )
            )[0]?.n,
          ),
        { timeout: 30_000, interval: 100 },
      )
      .toBe(0);

  const modalOf = async (id: string) => {
    await expect.poll(() => Boolean(slack.ws.topModal(id)), { timeout: 10_000 }).toBe(true);
    const v = slack.ws.topModal(id);
    if (!v) throw new Error("no modal");
    return v;
  };

  beforeAll(async () => {
    url = await fileDatabase();
    await emptyDatabase(url);
    // The tables exist before the instances start (they migrate once, under a lock, anyway).
    store = await openPgStore(url, { poolSize: 3 });
    ctx = { uow: store.uow, clock: systemClock };
    // The weekly digest last went out eight days ago: the next is due now, on one instance.
    await q("insert into job_runs (name, last_run_at) values ('weekly-digest', $1)", [
      new Date(Date.now() - 8 * DAY),
    ]);
    slack = new SlackStandIn({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET });
    await slack.start();
    for (const p of Object.values(PEOPLE)) slack.ws.addPerson(p);
    slack.ws.addChannel(GENERAL, "general");
    const env = {
      DATABASE_URL: url,
      PORT: "0",
      HOST: "127.0.0.1",
      OWNER_USER_IDS: `${PEOPLE.owner.id},${PEOPLE.owner2.id}`,
      VERIFY_API_TOKEN: VERIFY_TOKEN,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      LOG_LEVEL: "warn",
    };
    const children = [0, 1, 2].map(() =>
      startMain(env, [], ["--import", "tsx", "test/helpers/instance.ts"]),
    );
    for (const child of children) {
      const line = await child.line(/instance listening at /);
      instances.push({ child, url: line.split("at ")[1]?.trim() ?? "", alive: true });
    }
    proxy = roundRobin(instances);
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    slack.appUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/slack/events`;
    // The stand-in's people helpers, with nothing in-process to wait for: each step below
    // waits for what it expects to see.
    h = {
      slack,
      app: { slack: undefined, worker: undefined },
    } as unknown as Harness;
  }, 60_000);

  afterAll(async () => {
    for (const i of instances) {
      if (i.alive) i.child.proc.kill("SIGTERM");
      await i.child.exited;
    }
    proxy?.close();
    await slack?.stop();
    await store?.close();
  });

  it("sends the weekly digest once, to each owner, whichever instance runs the job", async () => {
    await expect
      .poll(
        () =>
          person(h, "owner2")
            .dms()
            .filter((m) => /digest/i.test(m.text)).length,
        {
          timeout: 15_000,
        },
      )
      .toBe(1);
    // A few more turns of every instance's jobs: still one.
    await new Promise((r) => setTimeout(r, 1000));
    for (const who of ["owner", "owner2"] as const)
      expect(
        person(h, who)
          .dms()
          .filter((m) => /digest/i.test(m.text)),
      ).toHaveLength(1);
    const runs = await q("select * from job_runs where name = 'weekly-digest'");
    expect(runs).toHaveLength(1);
  });

  let secret = "";
  it("refuses a signed request replayed to another instance; a re-signed submission applies once", async () => {
    const owner = person(h, "owner");
    await slack.driver.command(PEOPLE.owner.id, GENERAL, "nickname add acme seller");
    await slack.driver.command(PEOPLE.owner.id, GENERAL, "create");
    const v = await modalOf(PEOPLE.owner.id);
    slack.driver.setValue(v.id, "name", "value", { type: "plain_text_input", value: "Shared" });
    const answer = await slack.driver.submit(PEOPLE.owner.id, v.id);
    expect(answer.status).toBe(200);
    await expect
      .poll(() => owner.hasModal() && /kw_/.test(JSON.stringify(owner.modal())))
      .toBe(true);
    secret = secretIn(owner.modal());
    await slack.driver.close(PEOPLE.owner.id, owner.modal().id);
    const original = slack.driver.sent.filter((s) => s.kind === "view_submission").at(-1);
    if (!original) throw new Error("no submission");
    // Sent again, byte for byte, to each instance directly: refused by all three.
    for (const i of instances) {
      const saved = slack.appUrl;
      slack.appUrl = `${i.url}/slack/events`;
      try {
        expect((await slack.driver.resend(original)).status).toBe(401);
      } finally {
        slack.appUrl = saved;
      }
    }
    // Freshly signed (a new signature), sent to each instance: the submission's apply-once
    // record holds across instances.
    for (const [n, i] of instances.entries()) {
      const ts = Math.floor(Date.now() / 1000) + 1 + n;
      const res = await fetch(`${i.url}/slack/events`, {
        method: "POST",
        headers: {
          "content-type": original.contentType,
          "x-slack-request-timestamp": String(ts),
          "x-slack-signature": sign(SIGNING_SECRET, ts, original.body),
        },
        body: original.body,
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("already submitted");
    }
    expect(await q("select id from api_keys")).toHaveLength(1);
  });

  it("applies one of two simultaneous edits made on different instances; the other is told", async () => {
    for (const who of ["owner", "owner2"] as const)
      await slack.driver.command(PEOPLE[who].id, GENERAL, "edit Shared");
    const views = await Promise.all(
      (["owner", "owner2"] as const).map(async (who) => {
        const v = await modalOf(PEOPLE[who].id);
        slack.driver.setValue(v.id, "name", "value", {
          type: "plain_text_input",
          value: `Shared by ${who}`,
        });
        return { id: PEOPLE[who].id, v };
      }),
    );
    const answers = await Promise.all(views.map(({ id, v }) => slack.driver.submit(id, v.id)));
    const won = answers.filter((a) => a.status === 200 && !a.json?.response_action);
    const refused = answers.filter((a) => a.json?.response_action === "errors");
    expect(won).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(Object.values(refused[0]?.json?.errors as object)[0]).toMatch(
      /changed this key .* after you opened it/,
    );
    expect(await q("select action from audit_events where action = 'key.renamed'")).toHaveLength(1);
    const [key] = await q<{ name: string; version: number }>("select name, version from api_keys");
    expect(key?.version).toBe(2);
    for (const { v } of views)
      if (slack.ws.views.get(v.id)) slack.driver.close(PEOPLE.owner.id, v.id);
  });

  it("makes one decision when two owners approve one request on different instances, and updates every card", async () => {
    const [key] = await q<{ name: string }>("select name from api_keys");
    const member = person(h, "member");
    await slack.driver.command(PEOPLE.member.id, GENERAL, "request");
    await modalOf(PEOPLE.member.id);
    await member.fill("Key", key?.name ?? "");
    await member.fill("Analytics API", ["acme"]);
    await member.fill("For how long", "1 day");
    await member.fill("Why", "Weekly cohort analysis please");
    await member.submit();
    const cards = () =>
      (["owner", "owner2"] as const).map((who) =>
        person(h, who)
          .dms()
          .find((m) => m.text.startsWith("Access request #1")),
      );
    await expect.poll(() => cards().every(Boolean), { timeout: 15_000 }).toBe(true);
    const [c1, c2] = cards();
    if (!c1 || !c2) throw new Error("no cards");
    const [a, b] = await Promise.all([
      slack.driver.click(
        PEOPLE.owner.id,
        { kind: "message", channel: c1.channel, ts: c1.ts },
        button(c1.blocks, "Approve"),
      ),
      slack.driver.click(
        PEOPLE.owner2.id,
        { kind: "message", channel: c2.channel, ts: c2.ts },
        button(c2.blocks, "Approve"),
      ),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    await expect
      .poll(
        async () => (await q<{ status: string }>("select status from access_requests"))[0]?.status,
        {
          timeout: 10_000,
        },
      )
      .toBe("approved");
    expect(
      await q(
        "select action from audit_events where action in ('request.approved', 'request.denied')",
      ),
    ).toHaveLength(1);
    // Every owner's card shows the decision, with nothing left to click.
    await expect
      .poll(() => cards().every((c) => c && !JSON.stringify(c.blocks).includes('"Approve"')), {
        timeout: 15_000,
      })
      .toBe(true);
  });

  it("stops an old secret on every instance soon after a change committed elsewhere", async () => {
    const ask = async (base: string) => {
      const res = await fetch(`${base}/v1/verify`, {
        method: "POST",
        headers: { authorization: `Bearer ${VERIFY_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ key: secret, nickname: "acme", api: "analytics" }),
      });
      return (await res.json()) as { valid: boolean };
    };
    // Cached as valid on every instance.
    for (const i of instances) expect((await ask(i.url)).valid).toBe(true);
    const [key] = await q<{ id: number }>("select id from api_keys");
    const started = performance.now();
    await disableKey(ctx, PEOPLE.owner.id, { keyId: key?.id ?? 0 });
    const committed = performance.now();
    const seen = await Promise.all(
      instances.map(async (i) => {
        while ((await ask(i.url)).valid) await new Promise((r) => setImmediate(r));
        return performance.now() - committed;
      }),
    );
    // Loose: NOTIFY carries it in milliseconds; the cache's own re-read is the safety net.
    for (const ms of seen) expect(ms).toBeLessThan(2000);
    expect(committed).toBeGreaterThan(started);
  });

  it("delivers each of 300 changes' notifications exactly once while an instance is SIGKILLed", async () => {
    await settled();
    const before = slack.api.calls.filter((c) => c.method === "chat.postMessage" && c.ok).length;
    const callsBefore = slack.api.calls.length;
    const firstRow = Number(
      (await q<{ n: string }>("select coalesce(max(id), 0) as n from outbox"))[0]?.n,
    );
    const writes = (async () => {
      for (let i = 0; i < 300; i++) {
        await createKey(ctx, PEOPLE.owner.id, {
          name: `Load ${String(i).padStart(3, "0")}`,
          keyOwner: PEOPLE.member.id,
          cells: [{ scope: "acme", api: "analytics" }],
          expiresAt: null,
        });
      }
    })();
    // Mid-stream: one instance dies without a word (claims it held are adopted by the others).
    await expect
      .poll(
        async () =>
          Number(
            (
              await q<{ n: string }>(
                "select count(*) as n from outbox where status = 'sent' and id > $1",
                [firstRow],
              )
            )[0]?.n,
          ),
        { timeout: 30_000, interval: 20 },
      )
      .toBeGreaterThan(50);
    const victim = instances[1] as Instance;
    victim.child.proc.kill("SIGKILL");
    victim.alive = false;
    await victim.child.exited;
    await writes;
    await settled();
    const rows = await q<{ status: string; channel: string; ts: string }>(
      "select status, channel, ts from outbox where id > $1",
      [firstRow],
    );
    expect(rows.length).toBeGreaterThanOrEqual(300);
    expect(rows.filter((r) => r.status !== "sent")).toEqual([]);
    // Exactly once: one message posted per notification, each at its own place.
    const posted = slack.api.calls.filter((c) => c.method === "chat.postMessage" && c.ok).length;
    expect(posted - before).toBe(rows.length);
    expect(new Set(rows.map((r) => `${r.channel}/${r.ts}`)).size).toBe(rows.length);
    // By the outbox id each message carries: none posted twice.
    const perRow = new Map<number, number>();
    for (const c of slack.api.calls.slice(callsBefore)) {
      if (c.method !== "chat.postMessage" || !c.ok) continue;
      const meta =
        typeof c.args.metadata === "string" ? JSON.parse(c.args.metadata) : c.args.metadata;
      const id = Number(meta?.event_payload?.outbox_id);
      perRow.set(id, (perRow.get(id) ?? 0) + 1);
    }
    expect([...perRow].filter(([, n]) => n > 1)).toEqual([]);
  }, 60_000);

  it("left no secret it showed in any instance's output, outgoing call or table", async () => {
    expect(secret).toMatch(/^kw_/);
    for (const i of instances) expect(i.child.output().includes(secret.slice(11))).toBe(false);
    for (const c of slack.api.calls) expect(JSON.stringify(c.args).includes(secret)).toBe(false);
    const tables = await q<{ t: string }>(
      "select quote_ident(tablename) as t from pg_tables where schemaname = 'public'",
    );
    expect(tables.length).toBeGreaterThan(5);
    for (const { t } of tables) {
      const text = (await q<{ r: string }>(`select x::text as r from ${t} x`)).map((r) => r.r);
      expect(text.join("\n").includes(secret.slice(11)), t).toBe(false);
    }
  });
});
