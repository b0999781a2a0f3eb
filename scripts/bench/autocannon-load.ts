// bench:verify's fallback load generator when wrk is not installed: autocannon in its own
// process, printing the same result line as verify.lua. The bodies are taken in turn across
// all connections (autocannon's own `requests` list would restart it on every connection).
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const bodies = readFileSync(env("BENCH_BODIES"), "utf8").split("\n").filter(Boolean);
let next = 0;
const result = await autocannon({
  url: env("BENCH_URL"),
  connections: Number(env("BENCH_CONNECTIONS")),
  duration: Number(env("BENCH_SECONDS")),
  requests: [
    {
      method: "POST",
      path: "/v1/verify",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${env("BENCH_TOKEN")}`,
      },
      setupRequest: (req) => {
        next = (next + 1) % bodies.length;
        return { ...req, body: bodies[next] };
      },
    },
  ],
});
// autocannon keeps latencies in whole milliseconds.
const us = (ms: number) => Math.round(ms * 1000);
console.log(
  `BENCH_RESULT ${JSON.stringify({
    requests: result.requests.total,
    durationUs: Math.round(result.duration * 1e6),
    p50Us: us(result.latency.p50),
    p99Us: us(result.latency.p99),
    maxUs: us(result.latency.max),
    errors: { status: result.non2xx, other: result.errors, timeout: result.timeouts },
  })}`,
);
