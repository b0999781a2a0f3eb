// Slack's published Web API spec (OpenAPI 2.0, vendored): which arguments each method
// requires. The stand-in refuses a call that misses one, as Slack would.
import { readFileSync } from "node:fs";
import { projectPath } from "../../paths.ts";

interface Parameter {
  name: string;
  required?: boolean;
  in: string;
}
interface Spec {
  paths: Record<string, Record<string, { parameters?: Parameter[] }>>;
}

const SPEC_PATH = projectPath("vendor/slack/slack_web_openapi_v2.json");

let cache: Map<string, string[]> | undefined;

/** Required arguments per method, less `token` (the stand-in checks the bearer itself). */
function requiredArguments(): Map<string, string[]> {
  if (cache) return cache;
  const spec = JSON.parse(readFileSync(SPEC_PATH, "utf8")) as Spec;
  cache = new Map();
  for (const [path, ops] of Object.entries(spec.paths)) {
    const op = ops.post ?? ops.get;
    const required = (op?.parameters ?? [])
      .filter((p) => p.required && p.name !== "token")
      .map((p) => p.name);
    cache.set(path.replace(/^\//, ""), required);
  }
  return cache;
}

export function missingArguments(method: string, args: Record<string, unknown>): string[] | null {
  const required = requiredArguments().get(method);
  if (!required) return null;
  return required.filter((name) => args[name] === undefined || args[name] === "");
}
