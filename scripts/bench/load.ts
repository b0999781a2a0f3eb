// One round of load on /v1/verify from a separate process: wrk (written in C, one thread) when
// it is installed, otherwise autocannon in a child process. Both send the request bodies of a
// file in turn across all connections, so each second of load uses the whole mix of keys.
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export type Tool = "wrk" | "autocannon";

export interface Round {
  rps: number;
  requests: number;
  /** Client-side latency, ms. */
  p50: number;
  p99: number;
  max: number;
}

export interface LoadSpec {
  url: string;
  connections: number;
  seconds: number;
  /** A file with one JSON request body a line. */
  bodies: string;
  token: string;
}

const LUA = fileURLToPath(new URL("verify.lua", import.meta.url));
const AUTOCANNON = fileURLToPath(new URL("autocannon-load.ts", import.meta.url));

/** wrk when it runs here (BENCH_LOAD=autocannon forces the fallback). */
export function pickTool(): Tool {
  if (process.env.BENCH_LOAD === "autocannon") return "autocannon";
  const probe = spawnSync("wrk", ["--version"], { encoding: "utf8" });
  return probe.error ? "autocannon" : "wrk";
}

function run(cmd: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} exited with ${code}: ${out}`)),
    );
  });
}

interface RawResult {
  requests: number;
  durationUs: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  errors: Record<string, number>;
}

export async function loadRound(tool: Tool, spec: LoadSpec): Promise<Round> {
  const env = { BENCH_BODIES: spec.bodies, BENCH_TOKEN: spec.token };
  const out =
    tool === "wrk"
      ? await run(
          "wrk",
          [
            "-t1",
            `-c${spec.connections}`,
            `-d${spec.seconds}s`,
            "--timeout",
            "10s",
            "-s",
            LUA,
            `${spec.url}/v1/verify`,
          ],
          env,
        )
      : await run(process.execPath, ["--import", "tsx", AUTOCANNON], {
          ...env,
          BENCH_URL: spec.url,
          BENCH_CONNECTIONS: String(spec.connections),
          BENCH_SECONDS: String(spec.seconds),
        });
  const line = out.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
  if (!line) throw new Error(`${tool} printed no result:\n${out}`);
  const r = JSON.parse(line.slice("BENCH_RESULT ".length)) as RawResult;
  const failed = Object.entries(r.errors).filter(([, n]) => n > 0);
  if (failed.length > 0) {
    // A benchmark of failing requests measures nothing: stop rather than report it.
    throw new Error(`${tool} saw errors: ${failed.map(([k, n]) => `${k} ${n}`).join(", ")}`);
  }
  return {
    rps: r.requests / (r.durationUs / 1e6),
    requests: r.requests,
    p50: r.p50Us / 1000,
    p99: r.p99Us / 1000,
    max: r.maxUs / 1000,
  };
}
