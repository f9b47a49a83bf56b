import assert from "node:assert/strict";
import { membershipWanted } from "./state.ts";

describe("GET /members membership filters", () => {
  it("keeps everything without filters", () => {
    assert.ok(membershipWanted("ban", undefined, undefined));
  });
  it("applies membership and not_membership alone", () => {
    assert.ok(membershipWanted("join", "join", undefined));
    assert.ok(!membershipWanted("leave", "join", undefined));
    assert.ok(!membershipWanted("leave", undefined, "leave"));
    assert.ok(membershipWanted("invite", undefined, "leave"));
  });
  it("ORs them when both are given (spec)", () => {
    // membership=leave OR not_membership=join: join members are dropped, everyone else kept
    assert.ok(membershipWanted("leave", "leave", "join"));
    assert.ok(membershipWanted("invite", "leave", "join"));
    assert.ok(!membershipWanted("join", "leave", "join"));
    // membership=join OR not_membership=join keeps all
    assert.ok(membershipWanted("join", "join", "join") && membershipWanted("ban", "join", "join"));
  });
});
