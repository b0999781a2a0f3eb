// The `/apikeys` parser: every subcommand, and every way a person can get it wrong answered
// with something they can act on.
import { describe, expect, it } from "vitest";
import { SUBCOMMANDS } from "../../../src/slack/commands/apikeys.ts";
import { parseCommand, type Subcommand, USAGE } from "../../../src/slack/commands/parse.ts";

const ok = (text: string) => {
  const r = parseCommand(text);
  if (!r.ok) throw new Error(`refused "${text}": ${r.error}`);
  return r.command;
};
const refused = (text: string) => {
  const r = parseCommand(text);
  if (r.ok) throw new Error(`accepted "${text}" as ${JSON.stringify(r.command)}`);
  return r.error;
};

describe("parseCommand", () => {
  it("reads every subcommand the dispatch table handles", () => {
    const examples: Record<Subcommand, string> = {
      help: "help",
      list: "list billing",
      show: "show Billing sync",
      edit: "edit Billing sync",
      regenerate: "regenerate AbCd1234",
      rotate: "rotate Billing sync",
      disable: "disable Billing sync",
      enable: "enable Billing sync",
      delete: "delete Billing sync",
      create: "create",
      request: "request",
      requests: "requests",
      nicknames: "nicknames",
      roles: "roles",
      digest: "digest",
      audit: "audit",
      audit_export: "audit export key:Billing",
      nickname_add: "nickname add acme seller",
      nickname_remove: "nickname remove acme",
      role_add: "role add <@U0CASEY1|casey> oncall",
      role_remove: "role remove <@U0CASEY1>",
    };
    expect(Object.keys(examples).sort()).toEqual(Object.keys(SUBCOMMANDS).sort());
    for (const [cmd, text] of Object.entries(examples)) expect(ok(text).cmd).toBe(cmd);
  });

  it("carries what each subcommand needs, parsed", () => {
    expect(ok("")).toEqual({ cmd: "help" });
    expect(ok("list")).toEqual({ cmd: "list", text: "", filter: {} });
    expect(ok("LIST  Billing   sync")).toEqual({
      cmd: "list",
      text: "Billing sync",
      filter: { text: "Billing sync" },
    });
    expect(ok("show   Billing sync  ")).toEqual({ cmd: "show", key: "Billing sync" });
    expect(ok("audit")).toEqual({ cmd: "audit", text: "" });
    expect(ok("audit Billing sync")).toEqual({ cmd: "audit", text: "Billing sync" });
    expect(ok("audit EXPORT actor:@olivia since:7d")).toEqual({
      cmd: "audit_export",
      text: "actor:@olivia since:7d",
    });
    expect(ok("nickname add ACME_aff Both")).toEqual({
      cmd: "nickname_add",
      nickname: "acme_aff",
      kind: "both",
    });
    expect(ok("role add <@U0CASEY1|casey> OnCall")).toEqual({
      cmd: "role_add",
      userId: "U0CASEY1",
      role: "oncall",
    });
    expect(ok("role remove <@W0OWNER9>")).toEqual({ cmd: "role_remove", userId: "W0OWNER9" });
  });

  it("takes a key command without a key (it opens a key picker)", () => {
    expect(ok("show")).toEqual({ cmd: "show", key: undefined });
    expect(ok("edit")).toEqual({ cmd: "edit", key: undefined });
  });

  it("suggests the subcommand a typo most likely meant, with the rest of what was typed", () => {
    const typo = (text: string) => {
      const r = parseCommand(text);
      return r.ok ? undefined : r.suggestion;
    };
    expect(typo("regnerate Billing sync")).toBe("/apikeys regenerate Billing sync");
    expect(typo("lsit")).toBe("/apikeys list");
    expect(typo("nicknmes")).toBe("/apikeys nicknames");
    expect(typo("frobnicate")).toBeUndefined();
  });

  it("treats control characters and runs of white space as one space", () => {
    expect(ok("show\u0000Billing\t\n sync")).toEqual({ cmd: "show", key: "Billing sync" });
    expect(ok("list\u0007x")).toEqual({ cmd: "list", text: "x", filter: { text: "x" } });
  });

  it("answers a wrong command in words a person can act on", () => {
    expect(refused("frobnicate")).toBe("There is no `frobnicate` subcommand.");
    expect(refused(`${"x".repeat(40)} y`)).toBe(`There is no \`${"x".repeat(30)}\` subcommand.`);
    expect(refused(`edit ${"k".repeat(121)}`)).toBe(
      "`edit`: That is longer than any key name or id.",
    );
    expect(refused("create now")).toBe("`create` takes no arguments.");
    expect(refused("nickname add BAD! seller")).toContain("A nickname is 1–32 characters");
    expect(refused("nickname add acme reseller")).toBe(
      "The kind must be `seller`, `affiliate` or `both`.",
    );
    expect(refused("nickname remove acme seller")).toBe("`nickname remove` takes one nickname.");
    expect(refused("nickname add acme seller extra")).toBe("Too many words after `nickname`.");
    expect(refused("nickname rename acme")).toContain("Use `nickname add");
    expect(refused("role add casey owner")).toBe("Mention the person, like `@alex`.");
    expect(refused("role add <@U0CASEY1> admin")).toBe("The role must be `owner` or `oncall`.");
    expect(refused("role remove <@U0CASEY1> owner")).toBe("`role remove` takes one person.");
    expect(refused("role grant <@U0CASEY1>")).toContain("Use `role add");
    expect(refused("x".repeat(501))).toBe("That command is too long.");
  });
});

describe("list filters", () => {
  const filter = (text: string) => {
    const c = ok(`list ${text}`);
    if (c.cmd !== "list") throw new Error("not a list");
    return c.filter;
  };
  it("reads each filter, in any case, and combines them with each other and with text", () => {
    expect(filter("mine")).toEqual({ mine: true });
    expect(filter("Expiring")).toEqual({ expiring: true });
    expect(filter("disabled")).toEqual({ disabled: true });
    expect(filter("nickname:ACME")).toEqual({ nickname: "acme" });
    expect(filter("api:orders:write")).toEqual({ api: "orders:write" });
    expect(filter("mine api:orders:write billing sync")).toEqual({
      mine: true,
      api: "orders:write",
      text: "billing sync",
    });
    expect(filter("billing disabled nickname:acme expiring")).toEqual({
      disabled: true,
      expiring: true,
      nickname: "acme",
      text: "billing",
    });
  });
  it("names the valid filters when one is unknown, and says what a bad value should be", () => {
    const unknown = refused("list owner:olivia");
    expect(unknown).toContain("`owner:` is not a list filter");
    for (const f of ["`mine`", "`expiring`", "`disabled`", "`nickname:<nickname>`", "`api:<"])
      expect(unknown).toContain(f);
    expect(unknown).toContain("within 14 days");
    expect(refused("list api:orders")).toContain("`api:` takes one of `analytics`");
    expect(refused("list nickname:BAD!")).toContain("`nickname:` A nickname is 1–32 characters");
    expect(refused("list api:")).toContain("`api:` needs a value");
    expect(refused("list api:analytics api:products")).toBe("Give `api:` once.");
  });
});

describe("USAGE", () => {
  it("names every subcommand, and who may from the permission table", () => {
    for (const word of ["list", "show", "create", "edit", "regenerate", "rotate", "disable"]) {
      expect(USAGE).toContain(`\`/apikeys ${word}`);
    }
    expect(USAGE).toContain("`/apikeys create` — create a key _(owners)_");
    expect(USAGE).toContain("compromised key: new secret now, with a reason _(owners, on-call)_");
    expect(USAGE).toContain("`/apikeys disable <key>` _(owners, on-call)_");
    for (const f of ["`mine`", "`expiring`", "`disabled`", "`nickname:<n>`", "`api:<id>`"])
      expect(USAGE).toContain(f);
    for (const f of ["`key:", "`actor:", "`action:", "`since:", "`until:", "audit export"])
      expect(USAGE).toContain(f);
  });
});
