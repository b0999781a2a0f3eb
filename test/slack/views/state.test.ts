// Reading what a modal sends back, as untrusted input, and putting a refusal under the input
// it concerns.
import { describe, expect, it } from "vitest";
import { DomainError } from "../../../src/domain/errors.ts";
import { decode, keyChoiceValue, keyMeta, noMeta } from "../../../src/slack/blocks/values.ts";
import { cells, choice, errorsFor, readState, text, user } from "../../../src/slack/views/state.ts";

const INPUTS = ["name", "key_owner", "perm:analytics", "perm:products", "expires"];
const refusal = (code: DomainError["code"], field?: string) => new DomainError(code, "told", field);

describe("errorsFor", () => {
  it("puts a refusal under the input it names", () => {
    expect(errorsFor(refusal("conflict", "name"), INPUTS, "m")).toEqual({ name: "m" });
    expect(errorsFor(refusal("invalid", "expires"), INPUTS, "m")).toEqual({ expires: "m" });
  });

  it("reads a permission's field as that API's input, or the first permission input", () => {
    expect(errorsFor(refusal("invalid", "permissions.products"), INPUTS, "m")).toEqual({
      "perm:products": "m",
    });
    expect(errorsFor(refusal("invalid", "permissions"), INPUTS, "m")).toEqual({
      "perm:analytics": "m",
    });
  });

  it("puts bad input and conflicts the form has no input for under its first input", () => {
    for (const code of ["invalid", "conflict", "stale"] as const) {
      expect(errorsFor(refusal(code, "nowhere"), INPUTS, "m")).toEqual({ name: "m" });
      expect(errorsFor(refusal(code), INPUTS, "m")).toEqual({ name: "m" });
    }
  });

  it("leaves refusals that no input can fix to a modal of their own", () => {
    expect(errorsFor(refusal("forbidden"), INPUTS, "m")).toBeNull();
    expect(errorsFor(refusal("not_found"), INPUTS, "m")).toBeNull();
    expect(errorsFor(refusal("already_decided"), INPUTS, "m")).toBeNull();
    expect(errorsFor(refusal("invalid", "name"), [], "m")).toBeNull();
  });
});

describe("readState", () => {
  it("reads the values people entered, by block", () => {
    const state = readState({
      state: {
        values: {
          name: { value: { type: "plain_text_input", value: "Billing" } },
          key_owner: { value: { type: "users_select", selected_user: "U0MEMBER" } },
          grace: { value: { type: "radio_buttons", selected_option: { value: "1h" } } },
          "perm:analytics": {
            scopes: {
              type: "multi_static_select",
              selected_options: [{ value: "*" }, { value: "acme" }],
            },
          },
          "perm:products": { scopes: { type: "multi_external_select", selected_options: [] } },
        },
      },
    });
    expect(text(state, "name")).toBe("Billing");
    expect(user(state, "key_owner")).toBe("U0MEMBER");
    expect(choice(state, "grace")).toBe("1h");
    expect(text(state, "missing")).toBe("");
    expect(choice(state, "missing")).toBeNull();
    expect(cells(state)).toEqual([
      { scope: "*", api: "analytics" },
      { scope: "acme", api: "analytics" },
    ]);
  });

  it("refuses a state in a shape Slack never sends", () => {
    for (const values of [
      { name: { value: { type: "plain_text_input", value: 42 } } },
      { name: { value: { value: "no type" } } },
      { name: "flat" },
      { "perm:analytics": { scopes: { type: "checkboxes", selected_options: "all" } } },
    ]) {
      expect(() => readState({ state: { values } })).toThrow(/cannot read/);
    }
  });
});

describe("decode", () => {
  const refused = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e;
    }
    throw new Error("accepted");
  };

  it("reads spelled-out private_metadata and refuses anything else, under a field if named", () => {
    expect(decode(keyMeta, '{"keyId":3,"version":2}', "x")).toEqual({ keyId: 3, version: 2 });
    for (const raw of ['{"k":3,"v":2}', '{"keyId":"3","version":2}', "{", "", "[]", "null"]) {
      expect(refused(() => decode(keyMeta, raw, "changed"))).toMatchObject({
        code: "invalid",
        message: "changed",
      });
    }
    expect(refused(() => decode(keyChoiceValue, "k:3", "Pick", "key"))).toMatchObject({
      field: "key",
    });
    expect(decode(keyChoiceValue, '{"newKey":true}', "x")).toEqual({ newKey: true });
    // A modal that keeps nothing takes an empty or object metadata, not a bare value.
    expect(decode(noMeta, undefined, "x")).toEqual({});
    expect(refused(() => decode(noMeta, '"text"', "changed"))).toBeInstanceOf(DomainError);
  });
});
