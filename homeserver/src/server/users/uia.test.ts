import assert from "node:assert/strict";
import { MatrixError } from "../../spec/matrix-error.ts";
import type { UserRow } from "../../storage/user-store.ts";
import { DEFAULT_ARGON2, hashPassword } from "./password-hash.ts";
import { PasswordChecker } from "./credentials.ts";
import { FailedPasswordAttempts } from "./password-attempts.ts";
import { DUMMY_FLOWS, PASSWORD_FLOWS, UiaChallenge, UserInteractiveAuth } from "./uia.ts";

const ALICE = "@alice:test.local";
const BOB = "@bob:test.local";

async function setup(): Promise<{ uia: UserInteractiveAuth; clock: { t: number; now(): number } }> {
  const rows = new Map<string, UserRow>();
  for (const [id, pw] of [[ALICE, "alice-pw"], [BOB, "bob-pw"]] as const) {
    rows.set(id, { userId: id, passwordHash: await hashPassword(pw, DEFAULT_ARGON2), isAdmin: false, deactivated: false,
      displayname: undefined, avatarUrl: undefined, appserviceId: undefined });
  }
  const clock = { t: 1_000_000, now() { return this.t; } };
  const users = { getUser: async (id: string) => rows.get(id), replacePasswordHash: async () => true };
  const attempts = new FailedPasswordAttempts({ clock, policy: { freeAttempts: 5, lockoutMs: 10_000, maxLockoutMs: 60_000, forgetAfterMs: 3_600_000 } });
  const uia = new UserInteractiveAuth({ passwords: new PasswordChecker({ users, attempts }), clock, serverName: "test.local", ttlMs: 60_000 });
  return { uia, clock };
}

async function challenge(p: Promise<void>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof UiaChallenge, `expected a UIA challenge, got ${String(e)}`);
    assert.equal(e.status, 401);
    return e.toJSON();
  }
  assert.fail("expected a 401 challenge");
}

const pw = (user: string, password: string, session?: string): Record<string, unknown> =>
  ({ type: "m.login.password", identifier: { type: "m.id.user", user }, password, ...(session && { session }) });

describe("UserInteractiveAuth", () => {
  it("answers a request without auth with flows and a session, and no errcode", async () => {
    const { uia } = await setup();
    const body = await challenge(uia.authenticate({ auth: undefined, flows: PASSWORD_FLOWS, scope: "x", userId: ALICE }));
    assert.deepEqual(body["flows"], [{ stages: ["m.login.password"] }]);
    assert.equal(typeof body["session"], "string");
    assert.deepEqual(body["params"], {});
    assert.equal("errcode" in body, false);
  });

  it("completes the password stage for the requester, then spends the session", async () => {
    const { uia } = await setup();
    const first = await challenge(uia.authenticate({ auth: undefined, flows: PASSWORD_FLOWS, scope: "x", userId: ALICE }));
    const session = first["session"] as string;
    await uia.authenticate({ auth: pw("alice", "alice-pw", session), flows: PASSWORD_FLOWS, scope: "x", userId: ALICE });
    await assert.rejects(uia.authenticate({ auth: pw("alice", "alice-pw", session), flows: PASSWORD_FLOWS, scope: "x", userId: ALICE }),
      (e: unknown) => e instanceof MatrixError && e.status === 400);
  });

  it("a wrong password is a 401 with M_FORBIDDEN and the same session", async () => {
    const { uia } = await setup();
    const first = await challenge(uia.authenticate({ auth: undefined, flows: PASSWORD_FLOWS, scope: "x", userId: ALICE }));
    const again = await challenge(uia.authenticate({ auth: pw(ALICE, "nope", first["session"] as string), flows: PASSWORD_FLOWS, scope: "x", userId: ALICE }));
    assert.equal(again["errcode"], "M_FORBIDDEN");
    assert.equal(again["session"], first["session"]);
  });

  it("another user's correct password does not authenticate the requester", async () => {
    const { uia } = await setup();
    const body = await challenge(uia.authenticate({ auth: pw(BOB, "bob-pw"), flows: PASSWORD_FLOWS, scope: "x", userId: ALICE }));
    assert.equal(body["errcode"], "M_FORBIDDEN");
  });

  it("accepts m.login.dummy in the first request and refuses a stage outside the flows", async () => {
    const { uia } = await setup();
    await uia.authenticate({ auth: { type: "m.login.dummy" }, flows: DUMMY_FLOWS, scope: "register" });
    const body = await challenge(uia.authenticate({ auth: { type: "m.login.dummy" }, flows: PASSWORD_FLOWS, scope: "x", userId: ALICE }));
    assert.equal(body["errcode"], "M_UNRECOGNIZED");
  });

  it("binds a session to its scope and user, and expires it", async () => {
    const { uia, clock } = await setup();
    const first = await challenge(uia.authenticate({ auth: undefined, flows: PASSWORD_FLOWS, scope: "a", userId: ALICE }));
    const session = first["session"] as string;
    await assert.rejects(uia.authenticate({ auth: pw(ALICE, "alice-pw", session), flows: PASSWORD_FLOWS, scope: "b", userId: ALICE }),
      (e: unknown) => e instanceof MatrixError && e.errcode === "M_FORBIDDEN" && e.status === 403);
    await assert.rejects(uia.authenticate({ auth: pw(BOB, "bob-pw", session), flows: PASSWORD_FLOWS, scope: "a", userId: BOB }),
      (e: unknown) => e instanceof MatrixError && e.status === 403);
    clock.t += 61_000;
    await assert.rejects(uia.authenticate({ auth: pw(ALICE, "alice-pw", session), flows: PASSWORD_FLOWS, scope: "a", userId: ALICE }),
      (e: unknown) => e instanceof MatrixError && e.status === 400);
  });

  it("rejects a malformed auth dict with M_BAD_JSON", async () => {
    const { uia } = await setup();
    await assert.rejects(uia.authenticate({ auth: "x", flows: PASSWORD_FLOWS, scope: "x", userId: ALICE }),
      (e: unknown) => e instanceof MatrixError && e.errcode === "M_BAD_JSON");
    await assert.rejects(uia.authenticate({ auth: { type: "m.login.password", identifier: { type: "m.id.user", user: "alice" } }, flows: PASSWORD_FLOWS, scope: "x", userId: ALICE }),
      (e: unknown) => e instanceof MatrixError && e.errcode === "M_BAD_JSON");
  });
});

describe("UserInteractiveAuth password limit", () => {
  const limited = (e: unknown): boolean => e instanceof MatrixError && e.status === 429 && e.errcode === "M_LIMIT_EXCEEDED";

  it("locks the account after 5 wrong passwords: even the right one gets 429 until the lock-out ends", async () => {
    const { uia, clock } = await setup();
    for (let i = 0; i < 5; i++) {
      const body = await challenge(uia.authenticate({ auth: pw("alice", `guess-${i}`), flows: PASSWORD_FLOWS, scope: "x", userId: ALICE }));
      assert.equal(body["errcode"], "M_FORBIDDEN");
    }
    let retry = 0;
    await assert.rejects(uia.authenticate({ auth: pw("alice", "alice-pw"), flows: PASSWORD_FLOWS, scope: "x", userId: ALICE }), (e: unknown) => {
      retry = e instanceof MatrixError ? Number(e.toJSON()["retry_after_ms"]) : 0;
      return limited(e);
    });
    assert.equal(retry, 10_000);
    clock.t += 10_000;
    await uia.authenticate({ auth: pw("alice", "alice-pw"), flows: PASSWORD_FLOWS, scope: "x", userId: ALICE });
  });

  it("does not check another user's password at all (no oracle, no count on that user)", async () => {
    const { uia } = await setup();
    for (let i = 0; i < 8; i++) {
      const body = await challenge(uia.authenticate({ auth: pw(BOB, "bob-pw"), flows: PASSWORD_FLOWS, scope: "x", userId: ALICE }));
      assert.equal(body["errcode"], "M_FORBIDDEN");
    }
    await uia.authenticate({ auth: pw(BOB, "bob-pw"), flows: PASSWORD_FLOWS, scope: "x", userId: BOB });
  });
});
