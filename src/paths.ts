// Files Keyward reads at run time (migrations, the sandbox page, Slack's spec), found from the
// project's root, so the same code works from src/ under tsx and from the dist/ bundle that
// `npm start` runs.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "db"))) return dir;
    const up = dirname(dir);
    if (up === dir)
      throw new Error("Keyward's project folder (with package.json and db/) not found");
    dir = up;
  }
}

const ROOT = findRoot();

/** An absolute path to `relative`, a path inside the project folder. */
export const projectPath = (relative: string): string => join(ROOT, relative);
