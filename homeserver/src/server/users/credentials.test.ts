import assert from "node:assert/strict";
import { MatrixError } from "../../spec/matrix-error.ts";
import type { UserRow } from "../../storage/user-store.ts";
import { PasswordChecker } from "./credentials.ts";
import { FailedPasswordAttempts } from "./password-attempts.ts";
import { hashPassword, hashQueueStats, needsRehash, verifyPassword } from "./password-hash.ts";

const ALICE = "@alice:test.local";

async function setup(row: Partial<UserRow> & { password?: string; hashWith?: { m: number; t: number; p: number } }) {
  const hash = row.password === undefined ? undefined : await hashPassword(row.password, row.hashWith);
  const user: UserRow = { userId: ALICE, passwordHash: hash, isAdmin: false, deactivated: row.deactivated ?? false,
    displayname: undefined, avatarUrl: undefined, appserviceId: undefined };
  const users = {
    getUser: async (id: string) => (id === ALICE ? user : undefined),
    replacePasswordHash: async (_id: string, previous: string, next: string) => {
      if (user.passwordHash !== previous) return false;
      user.passwordHash = next;
      return true;
    },
  };
  const clock = { t: 1_000_000, now() { return this.t; } };
  const attempts = new FailedPasswordAttempts({ clock, policy: { freeAttempts: 3, lockoutMs: 5000, maxLockoutMs: 60_000, forgetAfterMs: 3_600_000 } });
  return { checker: new PasswordChecker({ users, attempts }), user, clock };
}

describe("PasswordChecker", () => {
  it("a deactivated account is only revealed to the right password; a wrong one is a plain failure", async () => {
    const { checker } = await setup({ password: "the right one", deactivated: true });
    assert.deepEqual(await checker.check(ALICE, "a wrong guess"), { ok: false, reason: "invalid" });
    assert.deepEqual(await checker.check(ALICE, "the right one"), { ok: false, reason: "deactivated" });
  });

  it("a deactivated account without a password (as deactivation leaves it) fails like an unknown user", async () => {
    const { checker } = await setup({ deactivated: true });
    assert.deepEqual(await checker.check(ALICE, "anything at all"), { ok: false, reason: "invalid" });
    assert.deepEqual(await checker.check("@nobody:test.local", "anything at all"), { ok: false, reason: "invalid" });
  });

  it("re-hashes a right password stored with old parameters, once", async () => {
    const { checker, user } = await setup({ password: "correct horse battery", hashWith: { m: 1024, t: 1, p: 1 } });
    const before = user.passwordHash ?? "";
    assert.equal(needsRehash(before), true);
    assert.deepEqual(await checker.check(ALICE, "correct horse battery"), { ok: true, userId: ALICE });
    const after = user.passwordHash ?? "";
    assert.notEqual(after, before);
    assert.match(after, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword("correct horse battery", after), true);
    assert.deepEqual(await checker.check(ALICE, "correct horse battery"), { ok: true, userId: ALICE });
    assert.equal(user.passwordHash, after, "no second re-hash");
  });

  it("while locked out, answers 429 without hashing anything", async () => {
    const { checker, clock } = await setup({ password: "the right one" });
    for (let i = 0; i < 3; i++) assert.equal((await checker.check(ALICE, `guess ${i}`)).ok, false);
    const hashed = hashQueueStats().completed;
    for (const guess of ["guess 4", "the right one"]) {
      await assert.rejects(checker.check(ALICE, guess), (e: unknown) => e instanceof MatrixError && e.status === 429);
    }
    assert.equal(hashQueueStats().completed, hashed, "no hash computed during the lock-out");
    clock.t += 5000;
    assert.deepEqual(await checker.check(ALICE, "the right one"), { ok: true, userId: ALICE });
  });
});
