// The page's API without a browser: what a person entered travels with the interaction that
// sends it (and only into inputs the view has), and unread counts follow what they have read.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getKey } from "../../src/domain/keys/queries.ts";
import { type Sandbox, startSandbox } from "../../src/sandbox/run.ts";

type Json = Record<string, unknown>;
let sandbox: Sandbox;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keyward-page-api-"));
  sandbox = await startSandbox({ port: 0, dataDir: dir });
}, 60_000);

afterAll(async () => {
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function call(what: string, body: Json): Promise<Json> {
  const res = await fetch(`${sandbox.url}/sandbox/api/${what}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Json;
  expect(res.status, JSON.stringify(json)).toBe(200);
  return json;
}

interface Snap {
  version: number;
  conversations: Array<{ id: string; unread: number; messages: Array<{ ts: string }> }>;
  modals: Array<{ id: string; inputsFrom: string; hash: string; errors: Record<string, string> }>;
}
const state = async (user: string) =>
  (await (await fetch(`${sandbox.url}/sandbox/api/state?user=${user}`)).json()) as Snap;

const submissions = () =>
  sandbox.slack.driver.sent
    .filter((s) => s.kind === "view_submission")
    .map((s) => JSON.parse(new URLSearchParams(s.body).get("payload") ?? "{}") as Json);

describe("the sandbox page's API", () => {
  it("sends what the page entered with the submission, into the view's own inputs only", async () => {
    await call("command", { user: "U0OLIVIA", channel: "C0GENERAL", text: "create" });
    await expect.poll(async () => (await state("U0OLIVIA")).modals.length).toBe(1);
    const [modal] = (await state("U0OLIVIA")).modals;
    const viewId = modal?.id ?? "";
    // A wrong element type for an input, and an input the view does not have: both ignored.
    await call("submit", {
      user: "U0OLIVIA",
      viewId,
      values: {
        name: { value: { type: "checkboxes", selected_options: [] } },
        invented: { value: { type: "plain_text_input", value: "not in the view" } },
      },
    });
    let s = await state("U0OLIVIA");
    expect(s.modals[0]?.errors.name).toBeTruthy();
    expect(JSON.stringify(submissions().at(-1))).not.toContain("not in the view");

    await call("submit", {
      user: "U0OLIVIA",
      viewId,
      values: {
        name: { value: { type: "plain_text_input", value: "Entered in the page" } },
        "perm:analytics": {
          scopes: {
            type: "multi_static_select",
            selected_options: [{ text: { type: "plain_text", text: "globex" }, value: "globex" }],
          },
        },
      },
    });
    const { grants } = await getKey(sandbox.app.ctx, "Entered in the page");
    expect(grants.map((g) => `${g.scope}|${g.api}`)).toEqual(["globex|analytics"]);
    s = await state("U0OLIVIA");
    // The secret modal replaced the form, and its inputs start afresh.
    expect(s.modals[0]?.inputsFrom).toBe(s.modals[0]?.hash);
    await call("close", { user: "U0OLIVIA", viewId, values: {} });
  });

  it("counts others' messages after what a person has read; thread replies count in threads", async () => {
    const ws = sandbox.slack.ws;
    const unread = async () =>
      (await state("U0OLIVIA")).conversations.find((c) => c.id === "C0ENGINEERING")?.unread;
    const read = async () => {
      const c = (await state("U0OLIVIA")).conversations.find((x) => x.id === "C0ENGINEERING");
      await call("read", {
        user: "U0OLIVIA",
        channel: "C0ENGINEERING",
        ts: c?.messages.at(-1)?.ts ?? "0",
      });
    };
    await read();
    expect(await unread()).toBe(0);
    const root = ws.post({ channel: "C0ENGINEERING", user: "U0MAX", text: "Deploying now" });
    ws.post({ channel: "C0ENGINEERING", user: "U0MIA", text: "Go ahead", threadTs: root.ts });
    ws.post({ channel: "C0ENGINEERING", user: "U0OLIVIA", text: "Thanks" });
    expect(await unread()).toBe(1);
    const before = (await state("U0OLIVIA")).version;
    await read();
    expect(await unread()).toBe(0);
    expect((await state("U0OLIVIA")).version).toBeGreaterThan(before);
    // Someone else's reading is their own.
    expect((await state("U0MIA")).conversations.find((c) => c.id === "C0ENGINEERING")?.unread).toBe(
      2,
    );
  });

  it("offers the app's shortcuts: Report leaked key on a message (a DM between people too) and Request API access", async () => {
    const ws = sandbox.slack.ws;
    const snap = (await state("U0MIA")) as Snap & { shortcuts: Array<{ name: string }> };
    expect(snap.shortcuts.map((s) => s.name)).toEqual(["Report leaked key", "Request API access"]);
    const dm = ws.dmBetween("U0MIA", "U0MAX");
    const m = ws.post({ channel: dm.id, user: "U0MAX", text: "no key here" });
    // Mia sees the DM, named for Max.
    const mine = (await state("U0MIA")).conversations as Array<{ id: string; name?: string }>;
    expect(mine.find((c) => c.id === dm.id)?.name).toBe(ws.people.get("U0MAX")?.realName);
    await call("message-shortcut", {
      user: "U0MIA",
      channel: dm.id,
      ts: m.ts,
      callbackId: "report_leaked_key",
    });
    await expect
      .poll(async () => JSON.stringify((await state("U0MIA")).modals))
      .toContain("Nothing in this message looks like a Keyward API key");
    await call("global-shortcut", { user: "U0MAX", callbackId: "request_access" });
    await expect
      .poll(async () => JSON.stringify((await state("U0MAX")).modals))
      .toContain("Request access");
    // Only the shortcuts the app has, each where it belongs.
    const refused = await fetch(`${sandbox.url}/sandbox/api/global-shortcut`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "U0MAX", callbackId: "report_leaked_key" }),
    });
    expect(refused.status).toBe(400);
  });
});
