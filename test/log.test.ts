import { describe, expect, it } from "vitest";
import { newPublicId, newSecret } from "../src/domain/secrets.ts";
import { createLog, scrubStats } from "../src/log.ts";

describe("the logger", () => {
  it("scrubs anything shaped like a key secret, and counts that it had to", () => {
    const lines: string[] = [];
    const log = createLog("info", (l) => lines.push(l));
    const secret = newSecret(newPublicId());
    const before = scrubStats.lines;
    log.info({ body: `payload with ${secret}` }, "incoming");
    log.info("nothing to hide here");
    expect(lines.join("")).not.toContain(secret);
    expect(lines[0]).toContain("kw_[redacted]");
    expect(scrubStats.lines).toBe(before + 1);
  });
});
