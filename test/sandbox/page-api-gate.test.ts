// The sandbox page's API answers only the page itself: a loopback Host (no DNS rebinding), no
// foreign Origin (no cross-site requests), and JSON bodies only (no simple form/text POSTs).
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/run.ts";

let sandbox: Sandbox;
let dir: string;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keyward-page-api-"));
  sandbox = await startSandbox({ port: 0, dataDir: dir });
  port = Number(new URL(sandbox.url).port);
});
afterAll(async () => {
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
});

const OWNER = "U0OLIVIA";

function call(
  method: "GET" | "POST",
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c.toString("utf8");
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const json = { "content-type": "application/json" };
const command = JSON.stringify({ user: OWNER, channel: "C0GENERAL", text: "help" });
const commandsSent = () => sandbox.slack.driver.sent.filter((s) => s.kind === "command").length;

describe("the sandbox page API", () => {
  it("answers the page: loopback host, its own origin or none, JSON", async () => {
    const before = commandsSent();
    expect((await call("POST", "/sandbox/api/command", json, command)).status).toBe(200);
    const sameOrigin = { ...json, origin: `http://127.0.0.1:${port}` };
    expect((await call("POST", "/sandbox/api/command", sameOrigin, command)).status).toBe(200);
    const localhost = { ...json, host: `localhost:${port}`, origin: `http://localhost:${port}` };
    expect((await call("POST", "/sandbox/api/command", localhost, command)).status).toBe(200);
    expect((await call("GET", `/sandbox/api/state?user=${OWNER}`, {})).status).toBe(200);
    expect(commandsSent()).toBe(before + 3);
  });

  it("refuses a foreign Host (DNS rebinding), for reads and writes", async () => {
    const before = commandsSent();
    const rebound = { host: `attacker.example:${port}` };
    const write = await call("POST", "/sandbox/api/command", { ...json, ...rebound }, command);
    expect(write.status).toBe(403);
    const read = await call("GET", `/sandbox/api/state?user=${OWNER}`, rebound);
    expect(read.status).toBe(403);
    expect(read.body).not.toContain("conversations");
    expect((await call("GET", "/sandbox/api/events", rebound)).status).toBe(403);
    expect(commandsSent()).toBe(before);
  });

  it("refuses a cross-site request (foreign Origin)", async () => {
    const before = commandsSent();
    for (const origin of ["https://attacker.example", "null", `http://127.0.0.1:${port + 1}`]) {
      const r = await call("POST", "/sandbox/api/command", { ...json, origin }, command);
      expect(r.status, origin).toBe(403);
      const read = await call("GET", `/sandbox/api/state?user=${OWNER}`, { origin });
      expect(read.status, origin).toBe(403);
    }
    expect(commandsSent()).toBe(before);
  });

  it("refuses bodies that are not JSON (a form or text/plain needs no preflight)", async () => {
    const before = commandsSent();
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]) {
      const r = await call("POST", "/sandbox/api/command", { "content-type": type }, command);
      expect(r.status, type).toBe(415);
    }
    expect((await call("POST", "/sandbox/api/command", {}, command)).status).toBe(415);
    expect(commandsSent()).toBe(before);
  });
});
