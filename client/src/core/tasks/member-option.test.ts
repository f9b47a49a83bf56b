import assert from "node:assert/strict";
import { memberOptionLabel } from "./member-option.ts";

describe("objective owner option label", () => {
  it("shows the name then the Matrix id", () => {
    assert.equal(memberOptionLabel({ userId: "@marie:ville-a.fr", name: "Marie Dupont" }), "Marie Dupont (@marie:ville-a.fr)");
  });
  it("shows the id alone when there is no name", () => {
    assert.equal(memberOptionLabel({ userId: "@marie:ville-a.fr", name: "@marie:ville-a.fr" }), "@marie:ville-a.fr");
  });
  it("does not repeat the id of a name the SDK already disambiguated (two « agent1 » of two councils)", () => {
    assert.equal(memberOptionLabel({ userId: "@agent1:agglo-b.fr", name: "agent1 (@agent1:agglo-b.fr)" }), "agent1 (@agent1:agglo-b.fr)");
  });
});
