import assert from "node:assert/strict";
import { MatrixError } from "../../spec/matrix-error.ts";
import { DEFAULT_PASSWORD_POLICY, checkPasswordPolicy } from "./password-policy.ts";

describe("password policy", () => {
  it("requires 10 characters by default, counted as the user sees them", () => {
    assert.equal(DEFAULT_PASSWORD_POLICY.minimumLength, 10);
    checkPasswordPolicy("0123456789", DEFAULT_PASSWORD_POLICY);
    checkPasswordPolicy("\u{1F510}".repeat(10), DEFAULT_PASSWORD_POLICY); // 10 code points, 20 UTF-16 units
    for (const weak of ["", "short", "012345678", "cafe\u0301cafe\u0301"]) { // the last: 8 characters once composed
      assert.throws(() => checkPasswordPolicy(weak, DEFAULT_PASSWORD_POLICY),
        (e: unknown) => e instanceof MatrixError && e.errcode === "M_WEAK_PASSWORD" && e.status === 400 && /at least 10/.test(e.message), weak);
    }
  });
});
