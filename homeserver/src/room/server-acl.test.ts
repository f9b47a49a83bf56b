import assert from "node:assert/strict";
import { serverAllowedByAcl } from "./server-acl.ts";
import { MAX_GLOB_LENGTH } from "../spec/glob.ts";

describe("server ACL", () => {
  it("allows everyone without an ACL, and nobody with an empty allow list", () => {
    assert.equal(serverAllowedByAcl(undefined, "a.fr"), true);
    assert.equal(serverAllowedByAcl({ allow: [] }, "a.fr"), false);
  });
  it("applies deny before allow, with globs, ignoring the port", () => {
    const acl = { allow: ["*"], deny: ["*.evil.fr", "c?.fr"] };
    assert.equal(serverAllowedByAcl(acl, "ville-a.fr:8448"), true);
    assert.equal(serverAllowedByAcl(acl, "x.evil.fr"), false);
    assert.equal(serverAllowedByAcl(acl, "c1.fr"), false);
  });
  it("refuses IP literals when allow_ip_literals is false", () => {
    assert.equal(serverAllowedByAcl({ allow: ["*"], allow_ip_literals: false }, "1.2.3.4:8448"), false);
    assert.equal(serverAllowedByAcl({ allow: ["*"], allow_ip_literals: false }, "[::1]:8448"), false);
    assert.equal(serverAllowedByAcl({ allow: ["*"] }, "1.2.3.4"), true);
  });
});

describe("server ACL against hostile patterns (issue 9, finding 1)", () => {
  it("matches without regex backtracking: bounded steps whatever the pattern length", () => {
    const host = "a".repeat(60) + ".fr";
    const hostile = ["*a".repeat(5000) + "b", "*".repeat(100_000) + "b", "a*".repeat(3000) + "b", "?".repeat(10_000), "*" + "a".repeat(40) + "b"];
    const steps = { count: 0 };
    assert.equal(serverAllowedByAcl({ allow: ["*"], deny: hostile }, host, steps), true);
    const h = host.length;
    assert.ok(steps.count <= hostile.length * (2 * h + 1) * h, `${steps.count} steps`);
    assert.ok(hostile.some((p) => p.length > MAX_GLOB_LENGTH), "the list holds over-long patterns");
  });

  it("stays exact for long patterns: a long deny still denies, case-insensitively", () => {
    assert.equal(serverAllowedByAcl({ allow: ["*"], deny: ["*".repeat(10_000)] }, "x.fr"), false);
    assert.equal(serverAllowedByAcl({ allow: ["*"], deny: ["*".repeat(5_000) + ".EVIL.fr"] }, "a.evil.fr:8448"), false);
    assert.equal(serverAllowedByAcl({ allow: ["*"], deny: ["????"] }, "a.fr"), false, "'?' is one character");
    assert.equal(serverAllowedByAcl({ allow: ["*"], deny: ["?????"] }, "a.fr"), true, "more characters than the host: no match");
  });
});
