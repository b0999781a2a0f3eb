import { describe, expect, it } from "vitest";
import { API_IDS, API_LABELS, mayHold, satisfiedBy } from "../../src/domain/catalog.ts";

describe("API catalog", () => {
  it("labels every API with the seed's words", () => {
    expect(API_IDS.map((a) => API_LABELS[a])).toEqual([
      "Analytics API",
      "Products API",
      "Orders/Tickets API Read",
      "Orders/Tickets API Read/Write",
      "Subscription Modification API",
    ]);
  });

  it("offers Products to sellers only", () => {
    expect(mayHold("products", "seller")).toBe(true);
    expect(mayHold("products", "both")).toBe(true);
    expect(mayHold("products", "affiliate")).toBe(false);
    for (const api of API_IDS.filter((a) => a !== "products")) {
      expect(mayHold(api, "affiliate")).toBe(true);
    }
  });

  it("lets orders:write satisfy a check for orders:read, not the other way round", () => {
    expect(satisfiedBy("orders:read")).toEqual(["orders:read", "orders:write"]);
    expect(satisfiedBy("orders:write")).toEqual(["orders:write"]);
  });
});
