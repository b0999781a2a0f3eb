// The baseline: a bare node:http server answering a fixed JSON body after reading the request.
import { createServer } from "node:http";

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
