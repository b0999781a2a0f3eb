// The deployment example (compose.yaml, deploy/) cannot be run here (no Docker daemon, no
// image registry), so what can be checked without it is: it parses, every variable it sets is
// one Keyward reads, each instance gets the same configuration on PostgreSQL, and the load
// balancer's health check is the readiness route the app serves.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_VARIABLES, configSchema } from "../src/config.ts";

const known = CONFIG_VARIABLES;

describe("the deployment example", () => {
  const compose = parse(readFileSync("compose.yaml", "utf8"), { merge: true }) as {
    services: Record<
      string,
      { environment?: Record<string, string>; image?: string; build?: string; init?: boolean }
    >;
  };

  it("runs two Keyward instances with the same configuration on one PostgreSQL database", () => {
    const instances = Object.entries(compose.services).filter(([, s]) => s.build === ".");
    expect(instances.map(([n]) => n)).toEqual(["keyward-1", "keyward-2"]);
    // Node is not PID 1: an init reaps what is orphaned under it.
    expect(instances.map(([, s]) => s.init)).toEqual([true, true]);
    const [a, b] = instances.map(([, s]) => s.environment);
    expect(a).toEqual(b);
    expect(a?.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(() => configSchema.parse({ ...a })).not.toThrow();
  });

  it("sets only variables Keyward reads", () => {
    const names = [
      ...Object.values(compose.services)
        .filter((s) => s.build === ".")
        .flatMap((s) => Object.keys(s.environment ?? {})),
      ...readFileSync("deploy/keyward.env.example", "utf8")
        .split("\n")
        .filter((l) => /^#?\s*[A-Z_]+=/.test(l))
        .map((l) => l.replace(/^#\s*/, "").split("=")[0] as string),
    ];
    expect(known.length).toBeGreaterThan(10);
    for (const n of names) expect(known, n).toContain(n);
  });

  it("takes an instance out of rotation by its /readyz", () => {
    expect(readFileSync("deploy/Caddyfile", "utf8")).toMatch(/health_uri \/readyz/);
  });

  it("runs the image's Keyward with npm start's node flags", () => {
    // The flags are measured choices (README, Performance): the image must not drift from them.
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
      scripts: Record<string, string>;
    };
    const flagsOf = (command: string) =>
      (command.split("&&").at(-1) ?? "")
        .trim()
        .split(/\s+/)
        .filter((t) => t.startsWith("--") && t !== "--sandbox");
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync("Dockerfile", "utf8"))?.[1];
    const image = (JSON.parse(cmd ?? "[]") as string[]).filter((t) => t.startsWith("--"));
    expect(image).toContain("--no-memory-reducer");
    expect(image).toEqual(flagsOf(pkg.scripts.start as string));
    expect(flagsOf(pkg.scripts.sandbox as string)).toEqual(image);
  });
});
