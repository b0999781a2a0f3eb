// Button values: today's spelled-out shapes, and the shapes earlier versions posted (still in
// people's DMs), read into the same thing; anything else refused.
import { describe, expect, it } from "vitest";
import { decode, digestValue, keyValue, requestValue } from "../../../src/slack/blocks/values.ts";

const read = <S extends Parameters<typeof decode>[0]>(schema: S, raw: string) =>
  decode(schema, raw, "That button no longer works.");

describe("button values", () => {
  it("read the bare ids earlier cards carried as today's shapes", () => {
    expect(read(requestValue, "12")).toEqual({ requestId: 12 });
    expect(read(requestValue, '{"requestId":12}')).toEqual({ requestId: 12 });
    expect(read(keyValue, "7")).toEqual({ keyId: 7 });
    expect(read(keyValue, '{"keyId":7}')).toEqual({ keyId: 7 });
  });

  it("read the digest's earlier {v, t, id} as today's shape", () => {
    expect(read(digestValue, '{"v":"disable","t":"key","id":3}')).toEqual({
      verb: "disable",
      keyId: 3,
    });
    expect(read(digestValue, '{"v":"review","t":"request","id":4}')).toEqual({
      verb: "review",
      requestId: 4,
    });
    expect(read(digestValue, '{"verb":"edit","keyId":5}')).toEqual({ verb: "edit", keyId: 5 });
  });

  it("refuse anything else", () => {
    for (const raw of ["0", "-1", "1.5", '"12"', "1e400", '{"v":"review","t":"key","id":3}', "{"])
      for (const schema of [requestValue, keyValue, digestValue])
        expect(() => read(schema, raw)).toThrow("That button no longer works.");
  });
});
