// The audit filter as people type it after `/apikeys audit`.
import { describe, expect, it } from "vitest";
import { actionsOf, describeFilter, parseAuditFilter } from "../../src/domain/audit/filter.ts";
import { DomainError } from "../../src/domain/errors.ts";

const now = new Date("2026-11-27T12:00:00Z");
const parse = (text: string, utcOffsetMinutes?: number) =>
  parseAuditFilter(text, { now, utcOffsetMinutes });

function refusal(text: string): DomainError {
  try {
    parse(text);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error(`"${text}" was accepted`);
}

describe("parseAuditFilter", () => {
  it("takes nothing as everything, and bare words as a key's name", () => {
    expect(parse("")).toEqual({});
    expect(parse("  Billing   sync ")).toEqual({ key: "Billing sync" });
  });

  it("reads every filter, with quoted values and a mention for the actor", () => {
    expect(
      parse(
        'key:"Billing sync" actor:<@U0OWNER1|olivia> action:KEY.* since:2026-11-01 until:2026-11-02',
      ),
    ).toEqual({
      key: "Billing sync",
      actor: "U0OWNER1",
      action: "key.*",
      since: new Date("2026-11-01T00:00:00Z"),
      until: new Date("2026-11-03T00:00:00Z"),
    });
    expect(parse("actor:keyward action:request.approved")).toEqual({
      actor: "keyward",
      action: "request.approved",
    });
  });

  it("reads ages and ISO 8601 times, and days in the person's time zone", () => {
    expect(parse("since:7d").since).toEqual(new Date("2026-11-20T12:00:00Z"));
    expect(parse("since:12h until:30m")).toEqual({
      since: new Date("2026-11-27T00:00:00Z"),
      until: new Date("2026-11-27T11:30:00Z"),
    });
    expect(parse("since:2026-11-01T09:30+01:00").since).toEqual(new Date("2026-11-01T08:30:00Z"));
    // UTC-5: the person's 1 November starts at 05:00 UTC.
    expect(parse("since:2026-11-01", -300).since).toEqual(new Date("2026-11-01T05:00:00Z"));
  });

  it("says what to type instead, naming the filter at fault", () => {
    expect(refusal("action:key.exploded")).toMatchObject({ field: "action" });
    expect(refusal("action:key.exploded").message).toContain("`key.*`");
    expect(refusal("actor:olivia")).toMatchObject({ field: "actor" });
    expect(refusal("since:yesterday")).toMatchObject({ field: "since" });
    expect(refusal("since:2026-02-30")).toMatchObject({ field: "since" });
    expect(refusal("since:2026-11-02 until:2026-11-01")).toMatchObject({ field: "until" });
    expect(refusal("since:1d since:2d").message).toBe("Give since: once.");
    expect(refusal('key:"A" stray words').message).toContain("give the key once");
  });

  it("treats a word with an unknown prefix as part of a key's name", () => {
    expect(parse("billing:v2")).toEqual({ key: "billing:v2" });
  });
});

describe("actionsOf", () => {
  it("spells out a family and knows every action", () => {
    expect(actionsOf("request.*")).toEqual([
      "request.created",
      "request.approval_recorded",
      "request.approved",
      "request.denied",
      "request.expired",
      "request.cancelled",
      "request.escalated",
    ]);
    expect(actionsOf("audit.exported")).toEqual(["audit.exported"]);
    expect(actionsOf("nothing.*")).toBeUndefined();
    expect(actionsOf("key")).toBeUndefined();
  });
});

describe("describeFilter", () => {
  it("says the filter in words, people as placeholders", () => {
    expect(describeFilter({})).toBe("all events");
    expect(
      describeFilter({
        key: "{x}",
        actor: "U0OWNER1",
        since: new Date("2026-11-01T00:00:00Z"),
      }),
    ).toBe('key "\\{x}", actor {{user:U0OWNER1}}, since {{date:1793491200}}');
  });
});
