// BENCH_SCHED=1: what the kernel's scheduler saw of the server's main thread, from `perf sched`
// (Debian's linux-perf; software tracepoints, so it works on a VM without hardware counters).
// A 1 ms timer that fires late cannot tell a loop busy with work from a thread that was ready
// but had no CPU. The scheduler can: each time the main thread was woken, how long it waited
// for a CPU, and which threads ran on that CPU meanwhile (its own process's, or others').
import { type ChildProcess, execFileSync, spawn } from "node:child_process";

export interface SchedWindow {
  /** CLOCK_MONOTONIC seconds, as process.hrtime gives them. */
  from: number;
  to: number;
}

export interface MainThreadWaits {
  /** The longest the main thread waited for a CPU after being woken (ms). */
  maxWaitMs: number;
  /** How many of its waits were longer than 2 ms. */
  over2ms: number;
  /** Of those waits, the time spent behind the server's own other threads, and behind others (ms). */
  behindOwnMs: number;
  behindOthersMs: number;
}

interface Switch {
  /** When the task was switched out (s). */
  at: number;
  cpu: number;
  tid: number;
  pid: number;
  /** How long it waited for a CPU before this run, and how long it ran (ms). */
  schDelay: number;
  run: number;
}

export function perfAvailable(): boolean {
  try {
    execFileSync("perf", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Records every context switch on the machine until `stop`, on the monotonic clock. */
export function recordSched(file: string): { stop(): Promise<void> } {
  const perf: ChildProcess = spawn(
    "perf",
    ["sched", "record", "-k", "CLOCK_MONOTONIC", "-a", "-o", file],
    { stdio: "ignore" },
  );
  let ended = false;
  perf.once("exit", () => {
    ended = true;
  });
  perf.once("error", (e) => {
    ended = true;
    console.error(`perf sched record could not run: ${e.message}`);
  });
  return {
    // perf may have ended already (no permission, no room for its file): nothing to wait for.
    stop: () =>
      new Promise((resolve) => {
        if (ended) return resolve();
        perf.once("exit", () => resolve());
        perf.kill("SIGINT");
      }),
  };
}

function switches(file: string): Switch[] {
  const out = execFileSync("perf", ["sched", "timehist", "-i", file], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
    stdio: ["ignore", "pipe", "ignore"],
  });
  const rows: Switch[] = [];
  // "  6121.756280 [0001]  node[25860/25852]   0.033   0.000   20.487"
  const line =
    /^\s*([\d.]+)\s+\[(\d+)\]\s+\S*?\[(\d+)(?:\/(\d+))?\]\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/;
  for (const l of out.split("\n")) {
    const m = line.exec(l);
    if (!m) continue;
    const tid = Number(m[3]);
    rows.push({
      at: Number(m[1]),
      cpu: Number(m[2]),
      tid,
      pid: m[4] ? Number(m[4]) : tid,
      schDelay: Number(m[6]),
      run: Number(m[7]),
    });
  }
  return rows;
}

/** The main thread's waits for a CPU in each window, and who held the CPU meanwhile. */
export function mainThreadWaits(
  file: string,
  pid: number,
  windows: SchedWindow[],
): MainThreadWaits[] {
  const all = switches(file);
  return windows.map(({ from, to }) => {
    const inWindow = all.filter((s) => s.at >= from && s.at <= to);
    const result: MainThreadWaits = { maxWaitMs: 0, over2ms: 0, behindOwnMs: 0, behindOthersMs: 0 };
    for (const s of inWindow) {
      if (s.tid !== pid) continue;
      result.maxWaitMs = Math.max(result.maxWaitMs, s.schDelay);
      if (s.schDelay <= 2) continue;
      result.over2ms++;
      // It was switched in at (at - run) after waiting schDelay: whatever ran on that CPU
      // in between held it up.
      const waitEnd = s.at - s.run / 1000;
      const waitStart = waitEnd - s.schDelay / 1000;
      for (const o of inWindow) {
        if (o.cpu !== s.cpu || o.tid === pid || o.tid === 0) continue;
        const oStart = o.at - o.run / 1000;
        const overlap = Math.min(o.at, waitEnd) - Math.max(oStart, waitStart);
        if (overlap <= 0) continue;
        if (o.pid === pid) result.behindOwnMs += overlap * 1000;
        else result.behindOthersMs += overlap * 1000;
      }
    }
    return result;
  });
}
