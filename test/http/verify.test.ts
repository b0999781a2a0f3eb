import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKey } from "../../src/domain/keys/create.ts";
import { disableKey } from "../../src/domain/keys/disable.ts";
import { regenerateKey } from "../../src/domain/keys/regenerate.ts";
import { addNickname } from "../../src/domain/nicknames/add.ts";
import { type TestApp, testApp, VERIFY_TOKEN } from "../helpers/app.ts";
import { HOUR } from "../helpers/clock.ts";
import { rows } from "../helpers/db-rows.ts";
import { MEMBER, OWNER } from "../helpers/store.ts";

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
    await expect.poll(lastUsed, { timeout: 5000 }).toBe(t.clock.now().getTime());
  });
});
