// The process: which mode it starts (and when it refuses to), and a SIGTERM that drains what
// is in flight before closing.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { createKey } from "../src/domain/keys/create.ts";
import { SlackStandIn } from "../src/sandbox/standin/index.ts";
import { startMain } from "./helpers/child.ts";
import { BOT_TOKEN, SIGNING_SECRET, VERIFY_TOKEN } from "./helpers/slack/harness.ts";
import { OWNER, testStore } from "./helpers/store.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Held {
  /** The server has read the request's headers (it answered 100 Continue). */
  accepted: Promise<void>;
  send(): void;
  answer: Promise<{ status: number; body: string }>;
}

/** A verify whose body is sent only when told: a request in flight for as long as the test likes. */
function heldVerify(url: string, key: string): Held {
  const body = JSON.stringify({ key });
  const req = request(`${url}/v1/verify`, {
    method: "POST",
    agent: false,
    headers: {
      authorization: `Bearer ${VERIFY_TOKEN}`,
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      expect: "100-continue",
    },
  });
  const accepted = new Promise<void>((resolve) => req.once("continue", () => resolve()));
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.once("error", reject);
    req.once("response", (res) => {
      let text = "";
      res.on("data", (c: Buffer) => {
        text += c.toString("utf8");
      });
      res.once("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.once("error", reject);
    });
  });
  req.flushHeaders();
  return { accepted, send: () => req.end(body), answer };
}

/** Whether a new TCP connection to the port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED"));
  });
}

it("on SIGTERM stops accepting, finishes every verify in flight, then exits 0", async () => {
  const seeded = await testStore("sqlite", [OWNER]);
  const { secret } = await createKey(seeded.ctx, OWNER, {
    name: "Drained",
    keyOwner: OWNER,
    cells: [],
    expiresAt: null,
  });
  await seeded.store.close();
  const path = seeded.path as string;
  cleanups.push(() => rmSync(dirname(path), { recursive: true, force: true }));
  const slack = new SlackStandIn({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET });
  await slack.start();
  cleanups.push(() => slack.stop());

  const child = startMain({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    OWNER_USER_IDS: OWNER,
    VERIFY_API_TOKEN: VERIFY_TOKEN,
    DATABASE_PATH: path,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
  });
  cleanups.push(() => {
    child.proc.kill("SIGKILL");
  });
  const listening = JSON.parse(await child.line(/Keyward is listening/)) as { url: string };
  const url = listening.url;
  const port = Number(new URL(url).port);

  // A burst of verifies, each one read by the server before SIGTERM: half have their body
  // on the way as the signal lands, half send it only once shutdown has begun.
  const burst = Array.from({ length: 30 }, () => heldVerify(url, secret));
  await Promise.all(burst.map((b) => b.accepted));
  for (const b of burst.slice(0, 15)) b.send();
  child.proc.kill("SIGTERM");
  await child.line(/SIGTERM: shutting down/);
  // Stopped accepting: new connections are refused while the burst is still in flight.
  while (!(await refused(port))) await new Promise((r) => setImmediate(r));
  for (const b of burst.slice(15)) b.send();

  const answers = await Promise.allSettled(burst.map((b) => b.answer));
  const failed = answers.filter((a) => a.status === "rejected");
  expect(failed.map((f) => String((f as PromiseRejectedResult).reason))).toEqual([]);
  for (const a of answers) {
    const { status, body } = (a as PromiseFulfilledResult<{ status: number; body: string }>).value;
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ valid: true, name: "Drained" });
  }
  expect(await child.exited).toBe(0);
  expect(child.output()).toContain('"msg":"stopped"');
});

it("refuses to start with a misspelled Slack variable, naming it, and prints no secret", async () => {
  const dir = mkdtempSync(join(tmpdir(), "keyward-main-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const child = startMain({
    SLACK_BOTTOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    OWNER_USER_IDS: OWNER,
    VERIFY_API_TOKEN: VERIFY_TOKEN,
    DATABASE_PATH: join(dir, "keyward.db"),
    PORT: "0",
  });
  cleanups.push(() => {
    child.proc.kill("SIGKILL");
  });
  const outcome = await Promise.race([
    child.exited,
    child.line(/Keyward sandbox/).then(() => "the sandbox started"),
  ]);
  expect(outcome).toBe(1);
  expect(child.output()).toContain("SLACK_BOT_TOKEN");
  expect(child.output()).toContain("SLACK_BOTTOKEN");
  for (const secret of [BOT_TOKEN, SIGNING_SECRET, VERIFY_TOKEN])
    expect(child.output()).not.toContain(secret);
});

it("runs the sandbox on request without printing a configured verification token", async () => {
  const dir = mkdtempSync(join(tmpdir(), "keyward-main-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const child = startMain(
    {
      VERIFY_API_TOKEN: VERIFY_TOKEN,
      DATABASE_PATH: join(dir, "keyward.db"),
      PORT: "0",
    },
    ["--sandbox"],
  );
  cleanups.push(() => {
    child.proc.kill("SIGKILL");
  });
  await child.line(/Ctrl-C stops/);
  expect(child.output()).toContain("Bearer $VERIFY_API_TOKEN");
  expect(child.output()).not.toContain(VERIFY_TOKEN);
  child.proc.kill("SIGTERM");
  expect(await child.exited).toBe(0);
});

it("runs from the bundle npm start builds, on plain node, and serves the sandbox page", async () => {
  execFileSync(process.execPath, ["scripts/build.mjs"]);
  const dir = mkdtempSync(join(tmpdir(), "keyward-main-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const child = startMain(
    { DATABASE_PATH: join(dir, "keyward.db"), PORT: "0" },
    ["--sandbox"],
    ["dist/main.mjs"],
  );
  cleanups.push(() => {
    child.proc.kill("SIGKILL");
  });
  const open = await child.line(/ Open http:\/\/127\.0\.0\.1:\d+/);
  const url = /http:\/\/127\.0\.0\.1:\d+/.exec(open)?.[0] as string;
  // The page and its script: built from src/sandbox/web, found from the bundle's folder.
  const page = await fetch(url);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain("<!doctype html>");
  const script = await fetch(`${url}/app.js`);
  expect(script.status).toBe(200);
  expect((await script.text()).length).toBeGreaterThan(10_000);
  // The demo was seeded through the migrations found from dist/.
  expect(child.output()).toContain("demo account seeded");
  // The digest's pass over the keys runs the bundled key-scan process (dist/key-scan-worker.mjs).
  const asked = await fetch(`${url}/sandbox/api/command`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user: "U0OLIVIA", channel: "C0GENERAL", text: "digest" }),
  });
  expect(asked.status).toBe(200);
  let state = "";
  for (let i = 0; i < 100 && !state.includes("Access requests waiting"); i++) {
    await new Promise((r) => setTimeout(r, 100));
    state = await (await fetch(`${url}/sandbox/api/state?user=U0OLIVIA`)).text();
  }
  expect(state).toContain("Unused for 90 days");
  expect(state).toContain("Access requests waiting");
  expect(child.output()).not.toContain("key-scan process");
  child.proc.kill("SIGTERM");
  expect(await child.exited).toBe(0);
});
