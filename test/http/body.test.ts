import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { BodyTooLarge, collectBody } from "../../src/http/body.ts";

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A server that reads each body with collectBody(limit) and answers what it got. */
async function serve(limit: number): Promise<string> {
  server = createServer((req, res) => {
    let calls = 0;
    collectBody(req, limit, (error, body) => {
      calls++;
      if (calls > 1) throw new Error("done called twice");
      if (error instanceof BodyTooLarge) return res.writeHead(413).end();
      if (error) return res.writeHead(500).end();
      res.end(JSON.stringify({ bytes: body.length, text: body.toString("utf8") }));
    });
  });
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", () => r()));
  const addr = server.address();
  if (!addr || typeof addr === "string") throw new Error("no port");
  return `http://127.0.0.1:${addr.port}/`;
}

/** A body sent in pieces without a Content-Length (chunked transfer encoding). */
function inPieces(pieces: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async pull(c) {
      const next = pieces.shift();
      if (next === undefined) return c.close();
      c.enqueue(new TextEncoder().encode(next));
      await new Promise((r) => setTimeout(r, 5));
    },
  });
}

const post = (url: string, body: BodyInit) =>
  fetch(url, { method: "POST", body, duplex: "half" } as RequestInit);

describe("collectBody", () => {
  it("joins a body that arrives in several chunks", async () => {
    const url = await serve(100);
    const r = await post(url, inPieces(["héllo ", "wor", "ld"]));
    expect(await r.json()).toEqual({ bytes: 12, text: "héllo world" });
  });

  it("answers an empty body with an empty buffer", async () => {
    const url = await serve(100);
    expect(await (await post(url, "")).json()).toEqual({ bytes: 0, text: "" });
  });

  it("refuses a body over the limit by its declared length, and by what arrives", async () => {
    const url = await serve(10);
    expect((await post(url, "x".repeat(11))).status).toBe(413);
    // No Content-Length: the limit is found while reading, once, however much more comes.
    expect((await post(url, inPieces(["x".repeat(6), "x".repeat(6), "x".repeat(6)]))).status).toBe(
      413,
    );
    expect(await (await post(url, "x".repeat(10))).json()).toEqual({
      bytes: 10,
      text: "x".repeat(10),
    });
  });
});
