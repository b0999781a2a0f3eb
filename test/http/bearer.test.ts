import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bearerCheck } from "../../src/http/bearer.ts";

describe("bearerCheck", () => {
  const token = "s3cret-Token_0123456789";
  const check = bearerCheck(token);

  it("passes the exact header only", () => {
    expect(check(`Bearer ${token}`)).toBe(true);
    for (const bad of [
      undefined,
      "",
      "Bearer",
      "Bearer ",
      `bearer ${token}`,
      `Basic ${token}`,
      `Bearer ${token.slice(0, -1)}`,
      `Bearer ${token}x`,
      `Bearer  ${token}`,
      `Bearer ${token}\u0000`,
      token,
    ]) {
      expect(check(bad)).toBe(false);
    }
  });

  it("refuses any other header, however close", () => {
    const right = `Bearer ${token}`;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: right.length - 1 }),
        fc.string({ unit: "binary", minLength: 1, maxLength: 2 }),
        (i, c) => {
          const changed = right.slice(0, i) + c + right.slice(i + 1);
          expect(check(changed)).toBe(changed === right);
        },
      ),
    );
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (h) => {
        expect(check(h)).toBe(h === right);
      }),
    );
  });

  it("never passes while the token is unset (the API is off)", () => {
    for (const off of [undefined, ""]) {
      const c = bearerCheck(off);
      expect(c("Bearer ")).toBe(false);
      expect(c("Bearer undefined")).toBe(false);
      expect(c(undefined)).toBe(false);
    }
  });
});
