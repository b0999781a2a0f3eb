// The page, built at start with esbuild (TypeScript + JSX for Preact) and served from memory.
import { readFileSync } from "node:fs";
import { build } from "esbuild";
import { projectPath } from "../paths.ts";

export interface Page {
  files: Record<string, { type: string; body: string | Uint8Array }>;
}

const here = (p: string) => projectPath(`src/sandbox/web/${p}`);

export async function bundlePage(): Promise<Page> {
  const result = await build({
    entryPoints: [here("main.tsx")],
    bundle: true,
    format: "esm",
    target: "es2022",
    jsx: "automatic",
    jsxImportSource: "preact",
    minify: true,
    write: false,
    logLevel: "silent",
  });
  const js = result.outputFiles[0]?.contents ?? new Uint8Array();
  return {
    files: {
      "/index.html": {
        type: "text/html; charset=utf-8",
        body: readFileSync(here("index.html"), "utf8"),
      },
      "/app.css": {
        type: "text/css; charset=utf-8",
        body: readFileSync(here("app.css"), "utf8"),
      },
      "/app.js": { type: "text/javascript; charset=utf-8", body: js },
    },
  };
}
