import assert from "node:assert/strict";
import { MatrixError } from "../../spec/matrix-error.ts";
import { FailedPasswordAttempts, accountKey, type LockoutPolicy } from "./password-attempts.ts";

const POLICY: LockoutPolicy = { freeAttempts: 3, lockoutMs: 1000, maxLockoutMs: 8000, forgetAfterMs: 60_000 };

function setup(policy = POLICY, maxEntries?: number): { a: FailedPasswordAttempts; clock: { t: number; now(): number } } {
  const clock = { t: 1_000_000, now() { return this.t; } };
  return { a: new FailedPasswordAttempts({ clock, policy, ...(maxEntries !== undefined && { maxEntries }) }), clock };
}

/** The retry_after_ms of a 429, or undefined when the attempt is allowed (it is then finished with `ok`). */
function tryOnce(a: FailedPasswordAttempts, user: string, ok: boolean): number | undefined {
  try {
    a.begin(user).finish(ok);
    return undefined;
  } catch (e) {
    assert.ok(e instanceof MatrixError && e.status === 429 && e.errcode === "M_LIMIT_EXCEEDED", String(e));
    return Number(e.toJSON()["retry_after_ms"]);
  }
}

describe("FailedPasswordAttempts", () => {
  it("allows the free attempts, then locks out with a doubling, capped back-off", () => {
    const { a, clock } = setup();
    for (let i = 0; i < 3; i++) assert.equal(tryOnce(a, "@u:s", false), undefined);
    const lockouts: number[] = [];
    for (let i = 0; i < 6; i++) {
      const retry = tryOnce(a, "@u:s", true);
      assert.ok(retry !== undefined, "locked: even a right password is refused");
      lockouts.push(retry);
      clock.t += retry;
      assert.equal(tryOnce(a, "@u:s", false), undefined, "one attempt after the lock-out");
    }
    assert.deepEqual(lockouts, [1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it("a success clears the count; so does the forget delay", () => {
    const { a, clock } = setup();
    tryOnce(a, "@u:s", false);
    tryOnce(a, "@u:s", false);
    tryOnce(a, "@u:s", true);
    assert.equal(a.failures("@u:s"), 0);
    for (let i = 0; i < 3; i++) tryOnce(a, "@u:s", false);
    assert.ok(tryOnce(a, "@u:s", false) !== undefined);
    clock.t += 1000 + 60_000;
    assert.equal(tryOnce(a, "@u:s", false), undefined);
    assert.equal(a.failures("@u:s"), 1, "counting starts again");
  });

  it("counts attempts in flight: parallel guesses cannot exceed the free attempts", () => {
    const { a } = setup();
    const running = [a.begin("@u:s"), a.begin("@u:s"), a.begin("@u:s")];
    assert.ok(tryOnce(a, "@u:s", false) !== undefined, "a fourth parallel attempt is refused");
    for (const r of running) r.finish(false);
    assert.ok(tryOnce(a, "@u:s", false) !== undefined, "and the three failures lock the account");
  });

  it("a released attempt (never checked) does not count", () => {
    const { a } = setup();
    for (let i = 0; i < 10; i++) a.begin("@u:s").release();
    assert.equal(a.failures("@u:s"), 0);
    assert.equal(tryOnce(a, "@u:s", false), undefined);
  });

  it("is one counter per account whatever the case of the localpart, and counts unknown users alike", () => {
    assert.equal(accountKey("@Alice:Server"), "@alice:Server");
    const { a } = setup();
    for (const id of ["@Alice:s", "@ALICE:s", "@alice:s"]) tryOnce(a, id, false);
    assert.ok(tryOnce(a, "@aLiCe:s", false) !== undefined);
    assert.equal(tryOnce(a, "@bob:s", false), undefined, "other accounts are not affected");
  });

  it("stays bounded in memory and evicts unlocked entries before locked ones", () => {
    const { a } = setup(POLICY, 100);
    for (let i = 0; i < 3; i++) tryOnce(a, "@victim:s", false);
    for (let i = 0; i < 1000; i++) tryOnce(a, `@spray${i}:s`, false);
    assert.ok(tryOnce(a, "@victim:s", true) !== undefined, "the victim's lock-out survived the spray");
  });

  it("free_attempts 0 disables the limit", () => {
    const { a } = setup({ ...POLICY, freeAttempts: 0 });
    for (let i = 0; i < 50; i++) assert.equal(tryOnce(a, "@u:s", false), undefined);
  });
});
