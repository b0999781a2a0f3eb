import { crc32 } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  findSecrets,
  hashSecret,
  isWellFormedSecret,
  newPublicId,
  newSecret,
  publicIdOf,
  randomBase62,
} from "../../src/domain/secrets.ts";

describe("secrets", () => {
  it("are kw_ + 40 base62 + 6 base62 checksum, starting with the public id", () => {
    const id = newPublicId();
    const s = newSecret(id);
    expect(s).toMatch(/^kw_[0-9A-Za-z]{46}$/);
    expect(publicIdOf(s)).toBe(id);
    expect(isWellFormedSecret(s)).toBe(true);
  });

  it("differ every time for the same key", () => {
    const id = newPublicId();
    const many = new Set(Array.from({ length: 200 }, () => newSecret(id)));
    expect(many.size).toBe(200);
  });

  it("detect any single changed character with the checksum", () => {
    const s = newSecret(newPublicId());
    const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: s.length - 1 }),
        fc.integer({ min: 0, max: 61 }),
        (i, j) => {
          const c = alphabet[j] as string;
          fc.pre(c !== s[i]);
          const tampered = s.slice(0, i) + c + s.slice(i + 1);
          expect(isWellFormedSecret(tampered)).toBe(false);
        },
      ),
    );
  });

  it("reject wrong shapes", () => {
    const s = newSecret(newPublicId());
    for (const bad of ["", "kw_", s.slice(0, -1), `${s}x`, s.replace("kw_", "kx_"), ` ${s}`]) {
      expect(isWellFormedSecret(bad)).toBe(false);
    }
  });

  it("agree with the definition (shape by regular expression, checksum as written)", () => {
    // The check reads char codes for speed; this is the plain reading it must match.
    const byDefinition = (c: string) => {
      if (!/^kw_[0-9A-Za-z]{46}$/.test(c)) return false;
      const body = c.slice(3, 43);
      return checksumOf(body) === c.slice(43);
    };
    const s = newSecret(newPublicId());
    const anyChar = fc.oneof(
      fc.constantFrom(..."0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: s.length }), anyChar, fc.boolean(), (i, c, insert) => {
        const candidate = s.slice(0, i) + c + s.slice(insert ? i : i + 1);
        expect(isWellFormedSecret(candidate)).toBe(byDefinition(candidate));
      }),
      { numRuns: 2000 },
    );
    expect(isWellFormedSecret(s)).toBe(byDefinition(s));
  });

  it("draws base62 evenly enough (no modulo bias towards the first characters)", () => {
    const counts = new Map<string, number>();
    for (const ch of randomBase62(62_000)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    for (const n of counts.values()) expect(n).toBeGreaterThan(800);
    for (const n of counts.values()) expect(n).toBeLessThan(1200);
  });

  it("hash to SHA-256 hex", () => {
    expect(hashSecret("kw_x")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("are found in text only when the checksum holds and not inside longer words", () => {
    const s = newSecret(newPublicId());
    const fake = `${s.slice(0, -1)}${s.endsWith("0") ? "1" : "0"}`;
    expect(findSecrets(`here: ${s} and ${fake}`)).toEqual([s]);
    expect(findSecrets(`x${s}`)).toEqual([]);
    expect(findSecrets(`${s}Z`)).toEqual([]);
    expect(findSecrets(`<${s}>`)).toEqual([s]);
  });
});

/** The checksum as the format defines it: the CRC32 of the body in 6 base62 digits. */
function checksumOf(body: string): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  let n = crc32(body);
  let out = "";
  for (let i = 0; i < 6; i++) {
    out = alphabet[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}
