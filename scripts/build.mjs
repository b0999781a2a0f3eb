// npm run build: Keyward as one ES module in dist/, run by plain `node` (npm start). Running
// the TypeScript through tsx costs about 45 MB of memory for the compiler kept loaded; the
// bundle keeps node_modules external, so native drivers and Bolt load as usual.
import { build } from "esbuild";

// The digest's key-scan process runs a file of its own, beside main.mjs.
const entries = { main: "src/main.ts", "key-scan-worker": "src/jobs/key-scan-worker.ts" };
// `--bench`: also the verification benchmark's server (the same composition root), so that it
// runs the way npm start runs Keyward.
if (process.argv.includes("--bench")) {
  entries["bench-verify-server"] = "scripts/bench/verify-server.ts";
  entries["bench-digest-server"] = "scripts/bench/digest-server.ts";
}

await build({
  entryPoints: entries,
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});
