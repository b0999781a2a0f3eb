// GET /v1/audit over HTTP on both stores: the token, the cursor a SIEM polls with, JSON lines
// oldest first, and a large answer read slowly while the verification API keeps answering.
import { request } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKey } from "../../src/domain/keys/create.ts";
import { addNickname } from "../../src/domain/nicknames/add.ts";
import { AUDIT_API_MAX_LIMIT, AUDIT_API_PAGE } from "../../src/http/audit.ts";
import { type TestApp, testApp, VERIFY_TOKEN } from "../helpers/app.ts";
import { emptyDatabase, fileDatabase } from "../helpers/pg.ts";
import { BACKENDS, MEMBER, OWNER } from "../helpers/store.ts";

const AUDIT_TOKEN = "test-audit-token-0123456789";

interface Line {
  id: number;
  at: string;
  actor: string;
  action: string;
  keyName: string | null;
  keyPublicId: string | null;
  subject: string | null;
}

describe.each(BACKENDS)("GET /v1/audit on %s", (backend) => {
  let t: TestApp;
  beforeEach(async () => {
    const env: Record<string, string> = { AUDIT_API_TOKEN: AUDIT_TOKEN };
    if (backend === "postgres") {
      env.DATABASE_URL = await fileDatabase();
      await emptyDatabase(env.DATABASE_URL);
    }
    t = await testApp(env);
  });
  afterEach(() => t.stop());

  const get = (query = "", token = AUDIT_TOKEN, method = "GET") =>
    fetch(`${t.app.url}/v1/audit${query}`, {
      method,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  async function poll(query = "") {
    const res = await get(query);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text === "" || text.endsWith("\n")).toBe(true);
    const lines = text
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
    return { res, lines, next: Number(res.headers.get("x-next-after")) };
  }

  /** Nicknames added through the domain: each one audit event. */
  async function addNicknames(n: number, from = 0) {
    for (let i = from; i < from + n; i++) {
      await addNickname(t.app.ctx, OWNER, { nickname: `n${i}`, kind: "seller" });
    }
  }

  it("refuses a missing or wrong token, the verification token included", async () => {
    for (const token of ["", "wrong-token-0123456789", VERIFY_TOKEN]) {
      const res = await get("", token);
      expect(res.status, token).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
      expect(await res.json()).toEqual({ error: "missing or wrong bearer token" });
    }
    const post = await get("", AUDIT_TOKEN, "POST");
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET");
  });

  it("refuses a cursor or limit it cannot use, and parameters it does not know", async () => {
    for (const [query, message] of [
      ["?after=-1", "after must be an event id"],
      ["?after=abc", "after must be an event id"],
      ["?limit=0", "limit must be a whole number from 1 to"],
      [`?limit=${AUDIT_API_MAX_LIMIT + 1}`, "limit must be a whole number from 1 to"],
      ["?since=2026-01-01", "unknown parameter: since"],
    ] as const) {
      const res = await get(query);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: string }).error, query).toContain(message);
    }
  });

  it("streams events oldest first as JSON lines, with the cursor of the next poll", async () => {
    const { key, secret } = await createKey(t.app.ctx, OWNER, {
      name: "Billing sync",
      keyOwner: MEMBER,
      cells: [],
      expiresAt: null,
    });
    await addNicknames(3);
    const first = await poll("?limit=2");
    expect(first.res.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    // The bootstrap of the first owners, then the key.
    expect(first.lines.map((l) => l.action)).toEqual(["role.added", "role.added"]);
    expect(first.next).toBe(first.lines[1]?.id);
    expect(first.res.headers.get("link")).toBe(
      `</v1/audit?after=${first.next}&limit=2>; rel="next"`,
    );

    const rest = await poll(`?after=${first.next}`);
    expect(rest.lines.map((l) => l.action)).toEqual([
      "key.created",
      "nickname.added",
      "nickname.added",
      "nickname.added",
    ]);
    expect(rest.lines[0]).toMatchObject({
      actor: OWNER,
      keyName: "Billing sync",
      keyPublicId: key.publicId,
    });
    expect(rest.lines[0]?.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const ids = [...first.lines, ...rest.lines].map((l) => l.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    // Nothing new: an empty answer that keeps the cursor.
    const idle = await poll(`?after=${rest.next}`);
    expect(idle.lines).toEqual([]);
    expect(idle.next).toBe(rest.next);
    // No secret ever: audit events hold none.
    const all = await (await get()).text();
    expect(all).not.toContain(secret);
    expect(all).not.toContain(secret.slice(11));
  });

  it("gives a poller every event once, whatever happens between its polls", async () => {
    const seen: number[] = [];
    let cursor = 0;
    for (let round = 0; round < 4; round++) {
      await addNicknames(7, round * 7);
      const { lines, next } = await poll(`?after=${cursor}&limit=5`);
      seen.push(...lines.map((l) => l.id));
      cursor = next;
    }
    for (;;) {
      const { lines, next } = await poll(`?after=${cursor}&limit=5`);
      if (lines.length === 0) break;
      seen.push(...lines.map((l) => l.id));
      cursor = next;
    }
    const everything = (await poll(`?limit=${AUDIT_API_MAX_LIMIT}`)).lines.map((l) => l.id);
    expect(seen).toEqual(everything);
    expect(everything.length).toBe(2 + 28);
  });

  it("reads a large answer in pages as the client takes it; verification keeps answering", async () => {
    const total = AUDIT_API_PAGE * 6 + 17;
    await t.app.store.uow.run(async (tx) => {
      for (let i = 0; i < total; i++) {
        await tx.audit.append({
          at: t.clock.now(),
          actor: OWNER,
          action: "nickname.added",
          subject: `bulk${i}`,
          // Long enough that the whole answer overflows the socket's buffers.
          reason: "x".repeat(2000),
        });
      }
    });
    // A client that stops reading after the first chunk.
    const url = new URL(`${t.app.url}/v1/audit?limit=${AUDIT_API_MAX_LIMIT}`);
    const chunks: Buffer[] = [];
    let ended = false;
    const res = await new Promise<import("node:http").IncomingMessage>((resolve, reject) => {
      const req = request(url, { headers: { authorization: `Bearer ${AUDIT_TOKEN}` } }, resolve);
      req.on("error", reject);
      req.end();
    });
    res.on("end", () => {
      ended = true;
    });
    const firstChunk = await new Promise<Buffer>((resolve) => res.once("data", resolve));
    chunks.push(firstChunk);
    res.pause();
    // While that answer waits on its client, the verification API answers.
    const verify = await fetch(`${t.app.url}/v1/verify`, {
      method: "POST",
      headers: { authorization: `Bearer ${VERIFY_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ key: `kw_${"a".repeat(46)}` }),
    });
    expect(verify.status).toBe(200);
    expect(ended).toBe(false);
    // Then the client reads on, and gets every event once, in order.
    res.on("data", (c: Buffer) => chunks.push(c));
    res.resume();
    await new Promise((r) => res.once("end", r));
    const lines = Buffer.concat(chunks)
      .toString("utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
    const bulk = lines.filter((l) => l.subject?.startsWith("bulk")).map((l) => l.subject);
    expect(bulk).toEqual(Array.from({ length: total }, (_, i) => `bulk${i}`));
  });

  it("survives a client that goes away mid-answer", async () => {
    await t.app.store.uow.run(async (tx) => {
      for (let i = 0; i < AUDIT_API_PAGE * 5; i++) {
        await tx.audit.append({
          at: t.clock.now(),
          actor: OWNER,
          action: "nickname.added",
          reason: "y".repeat(2000),
        });
      }
    });
    const aborted = new AbortController();
    const res = await fetch(`${t.app.url}/v1/audit?limit=${AUDIT_API_MAX_LIMIT}`, {
      headers: { authorization: `Bearer ${AUDIT_TOKEN}` },
      signal: aborted.signal,
    });
    const reader = res.body?.getReader();
    await reader?.read();
    aborted.abort();
    await reader?.read().catch(() => undefined);
    // The server is fine and the next poll is whole.
    const { lines } = await poll("?limit=3");
    expect(lines.length).toBe(3);
    // And the cut-off answer was let go of: stopping finds nothing still being answered.
    await t.app.stop();
    expect(t.logs.some((l) => l.includes("request failed"))).toBe(false);
    expect(t.logs.some((l) => l.includes("shutdown drain ran out of time"))).toBe(false);
  });
});

describe("GET /v1/audit without AUDIT_API_TOKEN", () => {
  it("is off: 503, like the verification API without its token", async () => {
    const t = await testApp();
    try {
      const res = await fetch(`${t.app.url}/v1/audit`, {
        headers: { authorization: `Bearer ${AUDIT_TOKEN}` },
      });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: "the audit API is off: set AUDIT_API_TOKEN" });
    } finally {
      await t.stop();
    }
  });
});
