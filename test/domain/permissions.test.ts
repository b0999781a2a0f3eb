// The permission table: who may do what, and the sentence a refusal says.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DomainError } from "../../src/domain/errors.ts";
import {
  checkPermission,
  may,
  PERMISSIONS,
  refusal,
  type Verb,
} from "../../src/domain/permissions.ts";
import { addRole } from "../../src/domain/roles/add.ts";
import { removeRole } from "../../src/domain/roles/remove.ts";
import type { Role } from "../../src/domain/types.ts";
import { MEMBER, ONCALL, OWNER, OWNER2, type TestStore, testStore } from "../helpers/store.ts";

const ROLES: Role[] = ["owner", "oncall", "member"];
const allowed = (verb: Verb) => ROLES.filter((r) => may(r, verb));

describe("the table", () => {
  it("lets members look and ask, on-call respond to incidents, and owners do the rest", () => {
    const table = Object.fromEntries(
      (Object.keys(PERMISSIONS) as Verb[]).map((v) => [v, allowed(v)]),
    );
    expect(table).toEqual({
      view: ["owner", "oncall", "member"],
      request: ["owner", "oncall", "member"],
      create: ["owner"],
      edit: ["owner"],
      regenerate: ["owner"],
      rotate: ["owner", "oncall"],
      disable: ["owner", "oncall"],
      enable: ["owner"],
      delete: ["owner"],
      decide: ["owner"],
      extend: ["owner"],
      letExpire: ["owner"],
      audit: ["owner", "oncall"],
      digest: ["owner", "oncall"],
      nicknames: ["owner"],
      roles: ["owner"],
    });
  });

  it("words every refusal the same way, naming who may and where to turn", () => {
    expect(refusal("edit")).toBe("Only account owners can edit keys.");
    expect(refusal("disable")).toBe("Only account owners and on-call engineers can disable keys.");
    expect(refusal("create")).toBe(
      "Only account owners can create keys. Ask for one with `/apikeys request`.",
    );
    expect(refusal("regenerate")).toBe(
      "Only account owners can regenerate keys. On-call engineers can use `/apikeys rotate` for a compromised key.",
    );
    const refusable = (Object.keys(PERMISSIONS) as Verb[]).filter((v) => !may("member", v));
    expect(refusable).toHaveLength(14);
    expect(refusal("letExpire")).toBe(
      "Only account owners can let any key or time-bound access expire. A key owner can for their key, and whoever asked for time-bound access for theirs.",
    );
    for (const verb of refusable) {
      expect(refusal(verb)).toMatch(/^Only account owners( and on-call engineers)? can [^.]+\./);
    }
  });
});

describe("checking from the database", () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await testStore();
    await addRole(t.ctx, OWNER, { userId: ONCALL, role: "oncall" });
  });
  afterEach(() => t.cleanup());

  const refused = (userId: string, verb: Verb) =>
    checkPermission(t.ctx, userId, verb).then(
      () => undefined,
      (e: unknown) => e,
    );

  it("answers the role it read, or refuses in the table's words", async () => {
    expect(await checkPermission(t.ctx, OWNER, "delete")).toBe("owner");
    expect(await checkPermission(t.ctx, ONCALL, "rotate")).toBe("oncall");
    expect(await checkPermission(t.ctx, MEMBER, "view")).toBe("member");
    const e = await refused(ONCALL, "delete");
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toMatchObject({ code: "forbidden" });
    // In the table's words, naming the account owners (placeholders each surface renders).
    expect((e as DomainError).message).toBe(
      `${refusal("delete")} The account owners are {{user:${OWNER}}} and {{user:${OWNER2}}}. A key owner answers for the integration that uses a key; account owners change keys.`,
    );
  });

  it("reads the role at the moment of asking: a removed owner is refused at once", async () => {
    expect(await checkPermission(t.ctx, OWNER2, "edit")).toBe("owner");
    await removeRole(t.ctx, OWNER, { userId: OWNER2 });
    expect(await refused(OWNER2, "edit")).toMatchObject({ code: "forbidden" });
  });

  it("counts members of the on-call user group as on-call, never as owners", async () => {
    const ctx = {
      ...t.ctx,
      oncallGroup: { has: (u: string) => u === MEMBER, members: () => [MEMBER] },
    };
    expect(await checkPermission(ctx, MEMBER, "rotate")).toBe("oncall");
    await expect(checkPermission(ctx, MEMBER, "edit")).rejects.toMatchObject({
      code: "forbidden",
    });
  });
});
