import assert from "node:assert/strict";
import { serverAllowedByAcl } from "./server-acl.ts";

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
