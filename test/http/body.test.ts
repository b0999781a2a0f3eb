import { createServer, type IncomingMessage, type Server } from "node:http";
import { PassThrough } from "node:stream";
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

  // Driven by hand, so the order of chunks, ends and errors is the test's, not the network's.
  describe("on a stream fed by hand", () => {
    const stream = (headers: Record<string, string> = {}) => {
      const s = new PassThrough();
      return Object.assign(s, { headers }) as unknown as IncomingMessage & PassThrough;
    };
    const collect = (req: IncomingMessage, limit: number) => {
      const calls: Array<{ error: Error | null; body: string }> = [];
      collectBody(req, limit, (error, body) => calls.push({ error, body: body.toString() }));
      return calls;
    };
    const turn = () => new Promise((r) => setImmediate(r));

    it("refuses once when chunks keep coming past the limit, and ignores the end", async () => {
      const req = stream();
      const calls = collect(req, 4);
      req.write("abc");
      req.write("def");
      req.write("ghi");
      req.end("jkl");
      await turn();
      expect(calls).toHaveLength(1);
      expect(calls[0]?.error).toBeInstanceOf(BodyTooLarge);
      expect(calls[0]?.body).toBe("");
    });

    it("answers a connection that breaks mid-body with its error, once", async () => {
      const req = stream();
      const calls = collect(req, 100);
      req.write('{"key":');
      await turn();
      const broken = new Error("aborted");
      req.destroy(broken);
      await turn();
      req.emit("error", new Error("a second error"));
      expect(calls).toEqual([{ error: broken, body: "" }]);
    });

    it("ignores an error after the body has ended", async () => {
      const req = stream();
      const calls = collect(req, 100);
      req.end("{}");
      await turn();
      req.emit("error", new Error("late"));
      expect(calls).toEqual([{ error: null, body: "{}" }]);
    });

    it("refuses by the declared length before reading anything", () => {
      const req = stream({ "content-length": "5" });
      const calls = collect(req, 4);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.error).toBeInstanceOf(BodyTooLarge);
    });
  });
});
