// How busy the machine was during a round, from /proc: CPU time of the whole machine, of the
// server under test and of the load generator (a reaped child of this process), so that the
// share used by other processes on a shared machine can be reported beside the figures.
import { readFileSync } from "node:fs";

export interface CpuSample {
  at: number;
  /** Busy CPU time of the whole machine (all CPUs, steal excluded), in clock ticks. */
  machine: number;
  /** Time stolen by the hypervisor, in clock ticks. */
  steal: number;
  /** This process plus its reaped children (the load generator). */
  self: number;
  server: number;
}

const TICKS_PER_SECOND = 100;

function procTicks(pid: number | "self", withChildren: boolean): number {
  // Fields after the command name: utime is the 12th, stime 13th, cutime 14th, cstime 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat
    .slice(stat.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
  const own = (f[11] ?? 0) + (f[12] ?? 0);
  return withChildren ? own + (f[13] ?? 0) + (f[14] ?? 0) : own;
}

export function sampleCpu(serverPid: number): CpuSample {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  // cpu user nice system idle iowait irq softirq steal ...
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return {
    at: performance.now(),
    machine: user + nice + system + irq + softirq,
    steal,
    self: procTicks("self", true),
    server: procTicks(serverPid, false),
  };
}

/** CPU use between two samples, in CPUs (1.0 = one CPU busy all the time). */
export function cpuBetween(a: CpuSample, b: CpuSample) {
  const seconds = (b.at - a.at) / 1000;
  const cpus = (ticks: number) => ticks / TICKS_PER_SECOND / seconds;
  const server = cpus(b.server - a.server);
  const loadGen = cpus(b.self - a.self);
  return {
    server,
    loadGen,
    steal: cpus(b.steal - a.steal),
    others: Math.max(0, cpus(b.machine - a.machine) - server - loadGen),
  };
}
