// Keyward as a real child process (`node src/main.ts`), with its output collected and waited on.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface Child {
  proc: ChildProcess;
  /** stdout and stderr, as received. */
  output(): string;
  /** Resolves with the first output line matching, failing if the process exits first. */
  line(pattern: RegExp): Promise<string>;
  exited: Promise<number | null>;
}

/**
 * Starts `src/main.ts` with exactly this environment (plus PATH), in the repository root;
 * `entry` starts it another way: another script through tsx, or the bundle on plain node.
 */
export function startMain(
  env: Record<string, string>,
  args: string[] = [],
  entry: string[] = ["--import", "tsx", "src/main.ts"],
): Child {
  const proc = spawn(process.execPath, [...entry, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString("utf8");
    for (const l of listeners) l();
  };
  proc.stdout?.on("data", onData);
  proc.stderr?.on("data", onData);
  const exited = new Promise<number | null>((resolve) =>
    proc.once("exit", (code) => resolve(code)),
  );
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const l of listeners) l();
  });
  return {
    proc,
    output: () => out,
    exited,
    line(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = out.split("\n").find((l) => pattern.test(l));
          if (found !== undefined) {
            listeners.delete(check);
            resolve(found);
          } else if (gone) {
            listeners.delete(check);
            reject(new Error(`exited before printing ${pattern}:\n${out.slice(-2000)}`));
          }
        };
        listeners.add(check);
        check();
      });
    },
  };
}
