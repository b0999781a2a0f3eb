// Starting and measuring a server in its own process, so the load generator does not share
// its event loop.
import { type ChildProcess, fork } from "node:child_process";
import { readFileSync } from "node:fs";

export interface Child {
  proc: ChildProcess;
  peakRssMb(): number;
  stop(): Promise<void>;
}

/** Peak resident set (VmHWM) of a live process, in MB. */
export function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export async function startChild(
  script: string,
  env: Record<string, string>,
  ready: (proc: ChildProcess) => Promise<void>,
  nodeFlags: string[] = [],
): Promise<Child> {
  const proc = fork(script, [], {
    env: { ...process.env, ...env },
    // A bundle from dist/ runs on plain node, as npm start runs it; TypeScript through tsx.
    execArgv: script.endsWith(".mjs") ? nodeFlags : ["--import", "tsx", ...nodeFlags],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  await ready(proc);
  return {
    proc,
    peakRssMb: () => peakRss(proc.pid as number),
    stop: () =>
      new Promise((resolve) => {
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
      }),
  };
}

export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    if (Date.now() > until) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const fmt = (n: number, digits = 2) => n.toFixed(digits);

/** The node flags `npm start` gives Keyward (package.json), so a benchmark runs it as there. */
export function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } };
  const run = pkg.scripts.start.split("&&").at(-1)?.trim().split(/\s+/) ?? [];
  return run.slice(1).filter((t) => t.startsWith("--"));
}
