// End-to-end encryption with real matrix-js-sdk clients using the Rust crypto (WASM, in memory):
// encrypted chat both ways, cross-signing and secret storage bootstrap, key backup, and a second
// device that decrypts new messages at once and old ones after restoring the backup.
import assert from "node:assert/strict";
import * as sdk from "matrix-js-sdk";
import type { AuthDict, UIAuthCallback } from "matrix-js-sdk";
import type { GeneratedSecretStorageKey } from "matrix-js-sdk/lib/crypto-api/index.js";
import { startTestHomeserver, waitFor, type TestHomeserver } from "./harness/homeserver.ts";
import { startFederation, type TestFederation } from "./harness/federation.ts";
import { newClient, startSyncing, type TestClient } from "./harness/matrix-client.ts";
import { login } from "./e2ee-helpers.ts";

const PASSWORD = "correct horse battery staple";

/** The secret storage key bob creates, handed back to his devices when the SDK asks for it. */
let secretStorageKey: Uint8Array<ArrayBuffer> | undefined;
const cryptoCallbacks: NonNullable<sdk.ICreateClientOpts["cryptoCallbacks"]> = {
  getSecretStorageKey: async ({ keys }) => {
    const [id] = Object.keys(keys);
    return id !== undefined && secretStorageKey ? [id, secretStorageKey] : null;
  },
};

async function withCrypto(c: sdk.MatrixClient): Promise<sdk.MatrixClient> {
  await c.initRustCrypto({ useIndexedDB: false });
  return c;
}

function crypto(c: sdk.MatrixClient): NonNullable<ReturnType<sdk.MatrixClient["getCrypto"]>> {
  const api = c.getCrypto();
  assert.ok(api, "crypto is initialised");
  return api;
}

/** The decrypted body of an event in the room's live timeline, once decryption succeeded. */
function decryptedBody(c: sdk.MatrixClient, roomId: string, eventId: string): string | undefined {
  const ev = c.getRoom(roomId)?.findEventById(eventId);
  if (!ev || ev.isBeingDecrypted() || ev.isDecryptionFailure() || ev.getType() !== "m.room.message") return undefined;
  return String(ev.getContent()["body"]);
}

/** Bob's /keys/query requests, so a test can wait for the SDK to have refreshed his keys. */
const keyQueries = { inFlight: 0, done: 0 };
const trackingFetch: typeof fetch = async (input, init) => {
  const isQuery = String(input instanceof Request ? input.url : input).includes("/keys/query");
  if (isQuery) keyQueries.inFlight++;
  try {
    return await fetch(input, init);
  } finally {
    if (isQuery) {
      keyQueries.inFlight--;
      keyQueries.done++;
    }
  }
};

/** Waits until the SDK has re-queried its own keys after a change (device_lists.changed in /sync). */
async function keysRefreshed(since: number): Promise<void> {
  await waitFor("own keys re-queried", () => (keyQueries.done > since && keyQueries.inFlight === 0 ? true : undefined));
  await new Promise((r) => setTimeout(r, 200)); // and the response processed
}

const passwordAuth = (userId: string, session?: string): AuthDict =>
  ({ type: "m.login.password", identifier: { type: "m.id.user", user: userId }, password: PASSWORD, ...(session ? { session } : {}) });

// Run once on one council, and once with Alice on council A and Bob on council B (federation).
for (const topology of ["one council", "two councils"] as const) describe(`end-to-end encryption with matrix-js-sdk Rust crypto (${topology})`, function () {
  this.timeout(180_000);
  let server: TestHomeserver | undefined;
  let fed: TestFederation | undefined;
  let a = "";
  let b = "";
  let alice: TestClient;
  let bob: TestClient;
  let bob2: sdk.MatrixClient | undefined;
  let roomId: string;
  const oldMessages: { id: string; body: string }[] = [];

  before(async () => {
    if (topology === "one council") {
      server = await startTestHomeserver({ overrides: { rooms: { encryptionByDefault: "invite" } } });
      a = b = server.url;
    } else {
      fed = await startFederation(["a.test", "b.test"], { configure: (_n, c) => (c.rooms.encryptionByDefault = "invite") });
      a = fed.get("a.test").url;
      b = fed.get("b.test").url;
    }
    alice = await newClient(a, "alice");
    bob = await newClient(b, "bob");
    bob.client = sdk.createClient({ baseUrl: b, userId: bob.userId, accessToken: bob.accessToken, deviceId: bob.deviceId, cryptoCallbacks, fetchFn: trackingFetch });
    for (const c of [alice.client, bob.client]) {
      await withCrypto(c);
      await startSyncing(c);
    }
  });
  after(async () => {
    for (const c of [alice?.client, bob?.client, bob2]) c?.stopClient();
    await server?.stop();
    await fed?.stop();
  });

  it("bootstraps cross-signing: first upload without UIA, a reset with the password", async () => {
    const uiaRounds: string[] = [];
    const auth: UIAuthCallback<void> = async (makeRequest) => {
      try {
        await makeRequest(null);
        uiaRounds.push("none");
      } catch (err) {
        const data = (err as { data?: { session?: string; flows?: unknown } }).data;
        assert.ok(data?.flows, `expected a UIA challenge, got ${String(err)}`);
        await makeRequest(passwordAuth(bob.userId, data.session));
        uiaRounds.push("password");
      }
    };
    let queries = keyQueries.done;
    await crypto(bob.client).bootstrapCrossSigning({ authUploadDeviceSigningKeys: auth });
    await keysRefreshed(queries);
    // Replacing existing keys needs the password (the SDK must not be querying its own keys
    // meanwhile: it would drop the new private keys on seeing the old public ones).
    queries = keyQueries.done;
    await crypto(bob.client).bootstrapCrossSigning({ authUploadDeviceSigningKeys: auth, setupNewCrossSigning: true });
    await keysRefreshed(queries);
    assert.deepEqual(uiaRounds, ["none", "password"]);
    assert.equal(await crypto(bob.client).isCrossSigningReady(), true);
    const status = await crypto(bob.client).getDeviceVerificationStatus(bob.userId, bob.deviceId);
    assert.equal(status?.signedByOwner, true, "bob's device is signed by his self-signing key");
  });

  it("bootstraps secret storage and creates a key backup", async () => {
    const c = crypto(bob.client);
    let generated: GeneratedSecretStorageKey | undefined;
    await c.bootstrapSecretStorage({
      createSecretStorageKey: async () => {
        generated = await c.createRecoveryKeyFromPassphrase();
        secretStorageKey = generated.privateKey;
        return generated;
      },
      setupNewSecretStorage: true,
    });
    assert.ok(generated);
    assert.equal(await c.isSecretStorageReady(), true);
    assert.equal((await c.getCrossSigningStatus()).privateKeysInSecretStorage, true);
    await c.resetKeyBackup();
    const info = await c.getKeyBackupInfo();
    assert.ok(info?.version, "a backup version exists on the server");
    await waitFor("backup active", async () => ((await c.getActiveSessionBackupVersion()) === info.version ? true : undefined));
  });

  it("exchanges messages in an encrypted-by-default room that decrypt both ways", async () => {
    ({ room_id: roomId } = await alice.client.createRoom({ name: "Conseil restreint", preset: sdk.Preset.PrivateChat, invite: [bob.userId] }));
    await waitFor("encryption on", async () => ((await crypto(alice.client).isEncryptionEnabledInRoom(roomId)) ? true : undefined));
    await waitFor("bob's invite", () => bob.client.getRoom(roomId)?.getMyMembership() === "invite" || undefined);
    await bob.client.joinRoom(roomId);
    await waitFor("bob joined on alice's side", () => alice.client.getRoom(roomId)?.getMember(bob.userId)?.membership === "join" || undefined);
    for (let i = 0; i < 3; i++) {
      const a = await alice.client.sendTextMessage(roomId, `alice ${i}`);
      oldMessages.push({ id: a.event_id, body: `alice ${i}` });
      assert.equal(await waitFor(`bob decrypts alice ${i}`, () => decryptedBody(bob.client, roomId, a.event_id)), `alice ${i}`);
      const b = await bob.client.sendTextMessage(roomId, `bob ${i}`);
      assert.equal(await waitFor(`alice decrypts bob ${i}`, () => decryptedBody(alice.client, roomId, b.event_id)), `bob ${i}`);
    }
    const raw = await fetch(`${a}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(oldMessages[0]?.id ?? "")}`,
      { headers: { Authorization: `Bearer ${alice.accessToken}` } });
    assert.equal(((await raw.json()) as { type: string }).type, "m.room.encrypted", "the server only ever sees ciphertext");
  });

  it("backs up the room keys to the server", async () => {
    await waitFor("keys in the backup", async () => {
      const res = await fetch(`${b}/_matrix/client/v3/room_keys/version`, { headers: { Authorization: `Bearer ${bob.accessToken}` } });
      const body = (await res.json()) as { count?: number };
      return (body.count ?? 0) >= 1 ? true : undefined;
    }, 60_000);
  });

  it("lets bob's second device decrypt new messages, and old ones after restoring the backup", async () => {
    const s = await login(b, bob.userId);
    bob2 = sdk.createClient({ baseUrl: b, userId: s.userId, accessToken: s.accessToken, deviceId: s.deviceId, cryptoCallbacks });
    await withCrypto(bob2);
    await startSyncing(bob2);
    const second = bob2;
    await waitFor("alice sees bob's new device", async () => {
      const devices = await crypto(alice.client).getUserDeviceInfo([bob.userId]);
      return devices.get(bob.userId)?.has(s.deviceId) ? true : undefined;
    });
    const fresh = await alice.client.sendTextMessage(roomId, "après la connexion du second appareil");
    assert.equal(await waitFor("bob2 decrypts the new message", () => decryptedBody(second, roomId, fresh.event_id)), "après la connexion du second appareil");
    const old = oldMessages[0];
    assert.ok(old);
    await waitFor("old message in bob2's timeline", () => second.getRoom(roomId)?.findEventById(old.id));
    assert.equal(decryptedBody(second, roomId, old.id), undefined, "no key for history before the backup is restored");
    await crypto(second).loadSessionBackupPrivateKeyFromSecretStorage();
    const restored = await crypto(second).restoreKeyBackup();
    assert.ok(restored.imported >= 1, `imported ${restored.imported} of ${restored.total}`);
    for (const m of oldMessages) {
      assert.equal(await waitFor(`bob2 decrypts ${m.body}`, () => decryptedBody(second, roomId, m.id)), m.body);
    }
  });

  // only meaningful between two councils
  if (topology === "two councils") it("keeps device lists fresh across an outage: a device added while A is down gets A's next message", async function () {
    assert.ok(fed);
    const councilA = fed.get("a.test");
    // alice's client keeps running: it retries its sync until A is back
    await councilA.stop();
    // Bob adds a device while council A cannot be reached: B queues the device-list update for A.
    const s3 = await login(b, bob.userId);
    const bob3 = sdk.createClient({ baseUrl: b, userId: s3.userId, accessToken: s3.accessToken, deviceId: s3.deviceId, cryptoCallbacks });
    await withCrypto(bob3);
    await startSyncing(bob3);
    try {
      await councilA.start();
      await waitFor("alice learns about bob's third device", async () => {
        const devices = await crypto(alice.client).getUserDeviceInfo([bob.userId], true);
        return devices.get(bob.userId)?.has(s3.deviceId) ? true : undefined;
      }, 60_000);
      const msg = await alice.client.sendTextMessage(roomId, "après la panne");
      assert.equal(await waitFor("bob3 decrypts", () => decryptedBody(bob3, roomId, msg.event_id), 60_000), "après la panne");
    } finally {
      bob3.stopClient();
    }
  });
});
