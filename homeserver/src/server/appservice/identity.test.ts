import assert from "node:assert/strict";
import { MatrixError } from "../../spec/matrix-error.ts";
import type { DeviceRow, UserRow } from "../../storage/user-store.ts";
import { AppserviceTokens, assertIdentity, isAppserviceRequest } from "./identity.ts";
import { parseRegistration, type AppserviceRegistration } from "./registration.ts";

function reg(id: string, asToken: string): AppserviceRegistration {
  const r = parseRegistration({
    id, url: null, as_token: asToken, hs_token: `hs-${asToken}`, sender_localpart: `${id}bot`,
    namespaces: { users: [{ exclusive: true, regex: `@_${id}_.*` }] },
  }, `${id}.yaml`, "example.org");
  assert.ok(r.ok);
  return r.value;
}

const user = (userId: string, deactivated = false): UserRow =>
  ({ userId, passwordHash: undefined, isAdmin: false, deactivated, displayname: undefined, avatarUrl: undefined, appserviceId: "irc" });

const users = {
  known: new Set(["@ircbot:example.org", "@_irc_alice:example.org", "@_irc_gone:example.org", "@carol:example.org"]),
  devices: new Set(["@_irc_alice:example.org|ALICEDEV"]),
  async getUser(userId: string): Promise<UserRow | undefined> {
    return this.known.has(userId) ? user(userId, userId.includes("gone")) : undefined;
  },
  async getDevice(userId: string, deviceId: string): Promise<DeviceRow | undefined> {
    return this.devices.has(`${userId}|${deviceId}`) ? { userId, deviceId, displayName: undefined, lastSeenIp: undefined, lastSeenTs: undefined } : undefined;
  },
};

async function expectError(p: Promise<unknown>, status: number, errcode: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof MatrixError && e.status === status && e.errcode === errcode);
}

describe("AppserviceTokens", () => {
  it("finds the registration of an as_token and nothing for other tokens", () => {
    const tokens = new AppserviceTokens([reg("irc", "tok-irc"), reg("xmpp", "tok-xmpp")]);
    assert.equal(tokens.find("tok-xmpp")?.id, "xmpp");
    assert.equal(tokens.find("tok-irc")?.id, "irc");
    assert.equal(tokens.find("tok-ir"), undefined);
    assert.equal(tokens.find(""), undefined);
  });
});

describe("assertIdentity", () => {
  const irc = reg("irc", "tok");
  const deps = { users, serverName: "example.org" };
  const q = (s: string): URLSearchParams => new URLSearchParams(s);

  it("acts as the sender without user_id, with no device", async () => {
    const r = await assertIdentity(irc, q(""), deps);
    assert.deepEqual(r, { userId: "@ircbot:example.org", deviceId: "", isGuest: false, appserviceId: "irc" });
    assert.ok(isAppserviceRequest(r));
    assert.ok(!isAppserviceRequest({ userId: "@a:b", deviceId: "D", isGuest: false }));
  });

  it("masquerades as a registered user of the namespace, with one of its devices", async () => {
    assert.equal((await assertIdentity(irc, q("user_id=@_irc_alice:example.org"), deps)).userId, "@_irc_alice:example.org");
    assert.equal((await assertIdentity(irc, q("user_id=@_irc_alice:example.org&device_id=ALICEDEV"), deps)).deviceId, "ALICEDEV");
    assert.equal((await assertIdentity(irc, q("user_id=@_irc_alice:example.org&org.matrix.msc3202.device_id=ALICEDEV"), deps)).deviceId, "ALICEDEV");
  });

  it("refuses users outside the namespace, unregistered or deactivated users, and foreign devices", async () => {
    await expectError(assertIdentity(irc, q("user_id=@carol:example.org"), deps), 403, "M_FORBIDDEN");
    await expectError(assertIdentity(irc, q("user_id=@_irc_alice:elsewhere.org"), deps), 403, "M_FORBIDDEN");
    await expectError(assertIdentity(irc, q("user_id=@_irc_nobody:example.org"), deps), 403, "M_FORBIDDEN");
    await expectError(assertIdentity(irc, q("user_id=@_irc_gone:example.org"), deps), 403, "M_USER_DEACTIVATED");
    await expectError(assertIdentity(irc, q("user_id=@_irc_alice:example.org&device_id=OTHER"), deps), 400, "M_UNKNOWN_DEVICE");
    await expectError(assertIdentity(irc, q("device_id=ALICEDEV"), deps), 400, "M_UNKNOWN_DEVICE");
  });
});
