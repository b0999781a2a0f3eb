// The baseline: a bare node:http server answering a fixed JSON body after reading the request,
// with the same event-loop measurement as Keyward's benchmark server.
import { createServer } from "node:http";
import { serveLoopDelay } from "./loop-delay.ts";

serveLoopDelay();
const body = JSON.stringify({ valid: true, allowed: true, keyId: "AbCdEfGh", name: "baseline" });
const server = createServer((req, res) => {
  req.on("data", () => {});
  req.on("end", () => {
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    });
    res.end(body);
  });
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => process.send?.("ready"));
