import { connect } from "node:net";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKey } from "../../src/domain/keys/create.ts";
import { disableKey } from "../../src/domain/keys/disable.ts";
import { regenerateKey } from "../../src/domain/keys/regenerate.ts";
import { addNickname } from "../../src/domain/nicknames/add.ts";
import { type TestApp, testApp, VERIFY_TOKEN } from "../helpers/app.ts";
import { HOUR } from "../helpers/clock.ts";
import { rows } from "../helpers/db-rows.ts";
import { MEMBER, OWNER } from "../helpers/store.ts";
import { waitUntil } from "../helpers/wait.ts";

let t: TestApp;
let secret: string;
let publicId: string;
let keyId: number;

beforeEach(async () => {
  t = await testApp();
  const ctx = t.app.ctx;
  await addNickname(ctx, OWNER, { nickname: "acme", kind: "seller" });
  await addNickname(ctx, OWNER, { nickname: "acme_aff", kind: "affiliate" });
  const r = await createKey(ctx, OWNER, {
    name: "Billing sync",
    keyOwner: MEMBER,
    cells: [
      { scope: "acme", api: "orders:write" },
      { scope: "*", api: "analytics" },
    ],
    expiresAt: null,
  });
  secret = r.secret;
  publicId = r.key.publicId;
  keyId = r.key.id;
});
afterEach(() => t.stop());

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.app.url}/v1/verify`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${VERIFY_TOKEN}`,
      "content-type": "application/json",
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("POST /v1/verify over HTTP", () => {
  it("allows what the key holds, with orders:write covering orders:read", async () => {
    expect(await post({ key: secret, nickname: "acme", api: "orders:read" })).toEqual({
      status: 200,
      body: { valid: true, allowed: true, keyId: publicId, name: "Billing sync" },
    });
    expect((await post({ key: secret, nickname: "acme_aff", api: "analytics" })).body.allowed).toBe(
      true,
    );
    expect(await post({ key: secret, nickname: "acme_aff", api: "orders:read" })).toEqual({
      status: 200,
      body: {
        valid: true,
        allowed: false,
        reason: "not_permitted",
        keyId: publicId,
        name: "Billing sync",
      },
    });
  });

  it("answers validity and grants without nickname and api", async () => {
    const r = await post({ key: secret });
    expect(r.body).toEqual({
      valid: true,
      keyId: publicId,
      name: "Billing sync",
      grants: [
        { nickname: "*", api: "analytics", expiresAt: null },
        { nickname: "acme", api: "orders:write", expiresAt: null },
      ].sort((a, b) => (a.api < b.api ? -1 : 1)),
    });
  });

  it("says why a key is not valid", async () => {
    expect((await post({ key: "kw_nope" })).body).toEqual({ valid: false, reason: "unknown_key" });
    await disableKey(t.app.ctx, OWNER, { keyId });
    expect((await post({ key: secret })).body).toEqual({ valid: false, reason: "disabled" });
  });

  it("keeps an old secret valid during its grace window, then says rotated", async () => {
    const r = await regenerateKey(t.app.ctx, OWNER, { keyId, grace: "1h" });
    expect((await post({ key: secret, nickname: "acme", api: "orders:read" })).body.allowed).toBe(
      true,
    );
    expect((await post({ key: r.secret, nickname: "acme", api: "orders:read" })).body.allowed).toBe(
      true,
    );
    t.clock.advance(HOUR);
    expect((await post({ key: secret })).body).toEqual({ valid: false, reason: "rotated" });
  });

  it("refuses a missing or wrong bearer token with 401", async () => {
    expect((await post({ key: secret }, { authorization: "" })).status).toBe(401);
    expect((await post({ key: secret }, { authorization: "Bearer wrong" })).status).toBe(401);
    expect((await post({ key: secret }, { authorization: `Basic ${VERIFY_TOKEN}` })).status).toBe(
      401,
    );
  });

  it("answers malformed bodies with 400 and a message", async () => {
    for (const bad of [
      "not json",
      "[]",
      "null",
      JSON.stringify({ key: 5 }),
      JSON.stringify({ nickname: "acme" }),
    ]) {
      const r = await post(bad);
      expect(r.status).toBe(400);
      expect(typeof r.body.error).toBe("string");
    }
    expect((await post({ key: secret, nickname: "acme" })).body.error).toMatch(
      /both nickname and api/,
    );
    expect((await post({ key: secret, nickname: "acme", api: "billing" })).body.error).toMatch(
      /api must be one of/,
    );
  });

  it("caps the body size", async () => {
    const r = await post({ key: secret, pad: "x".repeat(10_000) });
    expect(r.status).toBe(413);
  });

  it("answers GET with 405 and /healthz with 200", async () => {
    expect((await fetch(`${t.app.url}/v1/verify`)).status).toBe(405);
    const h = await fetch(`${t.app.url}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.json()).toEqual({ ok: true });
    expect((await fetch(`${t.app.url}/nope`)).status).toBe(404);
  });

  it("records last_used_at after answering", async () => {
    const lastUsed = () =>
      rows<{ last_used_at: number | null }>(
        t.app.store,
        "select last_used_at from api_keys where id = ?",
        keyId,
      )[0]?.last_used_at;
    expect(lastUsed()).toBeNull();
    await post({ key: secret, nickname: "acme", api: "orders:read" });
    // Written by the batch a second later, not on the request's path.
    expect(lastUsed()).toBeNull();
    await waitUntil(() => lastUsed() != null, "the last-use batch");
    expect(lastUsed()).toBe(t.clock.now().getTime());
  });

  it("lets a client that leaves mid-body go: nothing logged as failed, the next one answered", async () => {
    const { port } = new URL(t.app.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(
          "POST /v1/verify HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n" +
            `authorization: Bearer ${VERIFY_TOKEN}\r\ncontent-length: 200\r\n\r\n{"key":"`,
        );
        // The server has the headers and part of the body when the client goes.
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on("close", () => resolve());
      socket.on("error", reject);
    });
    await waitUntil(() => t.app.requests.size === 0, "the abandoned request let go");
    expect(t.logs.join("\n")).not.toContain("request failed");
    expect(t.logs.join("\n")).toContain("verify request body not read in full");
    expect((await post({ key: secret })).status).toBe(200);
  });

  it("answers 500 when the store fails, logs why without the secret, and answers again once it is back", async () => {
    // A key never asked about (so not in the lookup's memory); then another connection to the
    // same SQLite file takes the keys table away, and the lookup's read of it fails for real.
    const { secret: r } = await createKey(t.app.ctx, OWNER, {
      name: "Never asked",
      keyOwner: MEMBER,
      cells: [{ scope: "*", api: "analytics" }],
      expiresAt: null,
    });
    const other = new Database(`${t.dir}/keyward.db`);
    other.exec("alter table api_keys rename to api_keys_away");
    const failed = await post({ key: r, nickname: "acme", api: "analytics" });
    expect(failed).toEqual({ status: 500, body: { error: "internal error" } });
    const logged = t.logs.join("\n");
    expect(logged).toContain("request failed");
    expect(logged).toContain("api_keys");
    expect(logged).not.toContain(r);
    expect(logged).not.toContain(secret);
    other.exec("alter table api_keys_away rename to api_keys");
    other.close();
    // Back within the lookup's short shared read snapshot (at most 100 ms).
    let again: Awaited<ReturnType<typeof post>> | undefined;
    const until = Date.now() + 2_000;
    do {
      again = await post({ key: secret, nickname: "acme", api: "analytics" });
    } while (again.status === 500 && Date.now() < until);
    expect(again.body.allowed).toBe(true);
  });
});
