// The stand-in's file upload, checked as Slack's method documentation states it (the vendored
// OpenAPI spec predates files.getUploadURLExternal and files.completeUploadExternal).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SlackStandIn } from "../../src/sandbox/standin/index.ts";

const BOT_TOKEN = "xoxb-test-files";
const USER = { id: "U0OWNER1", name: "olivia", realName: "Olivia Owner" };

let slack: SlackStandIn;
beforeEach(async () => {
  slack = new SlackStandIn({ botToken: BOT_TOKEN, signingSecret: "files-signing-secret-0123" });
  await slack.start();
  slack.ws.addPerson(USER);
  slack.ws.addChannel("C0GENERAL", "general");
});
afterEach(() => slack.stop());

/** A Web API call as the Node SDK sends it: form-encoded, objects as JSON. */
async function call(method: string, args: Record<string, unknown>, token = BOT_TOKEN) {
  const body = new URLSearchParams(
    Object.entries(args).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
  const res = await fetch(`${slack.apiUrl}${method}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body,
  });
  return (await res.json()) as Record<string, unknown> & { ok: boolean; error?: string };
}

const upload = (url: string, body: BodyInit, headers: Record<string, string> = {}) =>
  fetch(url, { method: "POST", body, headers });

async function reserve(text: string, filename = "audit.csv") {
  const r = await call("files.getUploadURLExternal", {
    filename,
    length: String(Buffer.byteLength(text)),
  });
  expect(r.ok).toBe(true);
  return { url: String(r.upload_url), id: String(r.file_id) };
}

describe("files.getUploadURLExternal", () => {
  it("gives an upload URL on the stand-in and a file id", async () => {
    const r = await call("files.getUploadURLExternal", { filename: "a.csv", length: "5" });
    expect(r.upload_url).toMatch(new RegExp(`^${slack.url}/upload/v1/[0-9a-f]+$`));
    expect(r.file_id).toMatch(/^F[0-9A-Z]+$/);
  });

  it("checks its arguments as documented", async () => {
    expect(await call("files.getUploadURLExternal", { length: "5" })).toMatchObject({
      ok: false,
      error: "invalid_arguments",
      response_metadata: { messages: ["[ERROR] missing required field: filename"] },
    });
    expect((await call("files.getUploadURLExternal", { filename: "a.csv" })).error).toBe(
      "invalid_arguments",
    );
    // "Typically only occurs when the length provided is 0."
    expect(
      (await call("files.getUploadURLExternal", { filename: "a.csv", length: "0" })).error,
    ).toBe("missing_argument");
    expect(
      (await call("files.getUploadURLExternal", { filename: "a.csv", length: "1.5" })).error,
    ).toBe("invalid_arguments");
    expect(
      (
        await call("files.getUploadURLExternal", {
          filename: "a.png",
          length: "5",
          alt_txt: "x".repeat(1001),
        })
      ).error,
    ).toBe("alt_txt_too_large");
    expect(
      (await call("files.getUploadURLExternal", { filename: "a.csv", length: "5" }, "xoxb-no"))
        .error,
    ).toBe("invalid_auth");
  });
});

describe("the upload URL", () => {
  it("takes exactly the announced bytes, raw or as a multipart form", async () => {
    const raw = await reserve("hello");
    expect((await upload(raw.url, "hell")).status).toBe(400);
    const ok = await upload(raw.url, "hello");
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("OK - 5");

    const form = await reserve("a,b\r\n");
    const body = new FormData();
    body.append("filename", new Blob(["a,b\r\n"], { type: "text/csv" }), "audit.csv");
    expect((await upload(form.url, body)).status).toBe(200);

    expect((await upload(`${slack.url}/upload/v1/nope`, "hello")).status).toBe(404);
    expect((await fetch(raw.url)).status).toBe(405);
  });
});

describe("files.completeUploadExternal", () => {
  it("shares the file once in a conversation, as a message carrying it", async () => {
    const text = "event_id,action\r\n1,key.created\r\n";
    const f = await reserve(text);
    await upload(f.url, text);
    const dm = slack.ws.imWith(USER.id)?.id as string;
    const r = await call("files.completeUploadExternal", {
      files: [{ id: f.id, title: "Audit log" }],
      channel_id: dm,
      initial_comment: "Here it is",
    });
    expect(r).toMatchObject({ ok: true, files: [{ id: f.id, title: "Audit log" }] });
    const [m] = slack.ws.channelMessages(dm);
    expect(m?.text).toBe("Here it is");
    expect(m?.files).toEqual([
      {
        id: f.id,
        name: "audit.csv",
        title: "Audit log",
        mimetype: "text/csv",
        filetype: "csv",
        size: Buffer.byteLength(text),
      },
    ]);
    expect(slack.ws.fileText(f.id)).toBe(text);

    // "This method can only be called once."
    const again = await call("files.completeUploadExternal", {
      files: [{ id: f.id }],
      channel_id: dm,
    });
    expect(again.error).toBe("file_not_found");
    expect(slack.ws.channelMessages(dm).length).toBe(1);

    // conversations.history shows the file, and its private URL serves it to the bot token.
    const history = await call("conversations.history", { channel: dm });
    const [shown] = (
      history.messages as Array<{ files: Array<{ id: string; url_private: string }> }>
    ).map((x) => x.files[0]);
    expect(shown?.id).toBe(f.id);
    const denied = await fetch(shown?.url_private as string);
    expect(denied.status).toBe(403);
    const got = await fetch(shown?.url_private as string, {
      headers: { authorization: `Bearer ${BOT_TOKEN}` },
    });
    expect(await got.text()).toBe(text);
  });

  it("refuses what the documentation says it refuses", async () => {
    const f = await reserve("x");
    expect(
      (
        await call("files.completeUploadExternal", {
          files: [{ id: f.id }],
          channel_id: "C0GENERAL",
        })
      ).error,
      "bytes never uploaded",
    ).toBe("file_not_found");
    await upload(f.url, "x");
    expect((await call("files.completeUploadExternal", { channel_id: "C0GENERAL" })).error).toBe(
      "invalid_arguments",
    );
    expect((await call("files.completeUploadExternal", { files: "[]" })).error).toBe(
      "invalid_arguments",
    );
    expect(
      (await call("files.completeUploadExternal", { files: [{ id: "F0NOSUCH" }] })).error,
    ).toBe("file_not_found");
    // A user id is not a channel id: the DM must be opened first.
    expect(
      (await call("files.completeUploadExternal", { files: [{ id: f.id }], channel_id: USER.id }))
        .error,
    ).toBe("channel_not_found");
    const many = Array.from({ length: 101 }, () => "C0GENERAL").join(",");
    expect(
      (await call("files.completeUploadExternal", { files: [{ id: f.id }], channels: many })).error,
    ).toBe("channels_limit_exceeded");
    // None of that shared it.
    expect(slack.ws.channelMessages("C0GENERAL")).toEqual([]);
    expect(
      (
        await call("files.completeUploadExternal", {
          files: [{ id: f.id }],
          channel_id: "C0GENERAL",
        })
      ).ok,
    ).toBe(true);
    expect(slack.ws.channelMessages("C0GENERAL").length).toBe(1);
  });

  it("keeps a file private when no channel is given", async () => {
    const f = await reserve("private");
    await upload(f.url, "private");
    expect((await call("files.completeUploadExternal", { files: [{ id: f.id }] })).ok).toBe(true);
    expect(slack.ws.messages.some((m) => m.files?.length)).toBe(false);
  });
});
