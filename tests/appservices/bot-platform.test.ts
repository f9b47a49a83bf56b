// The bot platform (appservices/kit start-bot.ts) against a real homeserver and a real
// matrix-js-sdk client with Rust crypto that shares room keys ONLY with cross-signed devices:
// the bot's one device is created without UIA, cross-signed at first start, decrypts commands and
// answers in their thread (encrypted), and after a restart it is the same device (crypto store
// snapshot on disk) and decrypts what was sent while it was stopped.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OnlySignedDevicesIsolationMode } from "matrix-js-sdk/lib/crypto-api/index.js";
import { appserviceRegistrationYaml } from "../../homeserver-config/src/appservice-registration.ts";
import { startBot, type BotEvent, type RunningBot } from "../../appservices/kit/src/start-bot.ts";
import { startTestHomeserver, waitFor, type TestHomeserver } from "../harness/homeserver.ts";
import { newClient, startSyncing, type TestClient } from "../harness/matrix-client.ts";
import { freePort } from "../harness/ports.ts";

const SERVER = "test.local";
const BOT = `@entente-tasks:${SERVER}`;

describe("bot platform: encrypted device of an appservice bot", function () {
  this.timeout(120_000);
  let dir: string;
  let hs: TestHomeserver;
  let alice: TestClient;
  let bot: RunningBot | undefined;
  let roomId: string;
  let registrationPath: string;
  const seen: BotEvent[] = [];
  const logs: Record<string, unknown>[] = [];

  const start = (): Promise<RunningBot> => startBot({
    registrationPath, homeserverUrl: hs.url, domain: SERVER, storeDir: join(dir, "bot-store"), keyWaitMs: 10_000,
    log: (l) => logs.push(l),
    handlers: {
      async onEvent(e, ctx) {
        seen.push(e);
        const body = e.content["body"];
        if (e.type === "m.room.message" && typeof body === "string" && body.startsWith("!ping")) {
          await ctx.reply(e.roomId, { eventId: e.eventId, threadRoot: e.threadRoot }, `pong ${body.slice(5).trim()}`, [e.sender]);
        }
      },
    },
  });
  const keysOfBot = async (): Promise<Record<string, unknown>> => {
    const res = await fetch(`${hs.url}/_matrix/client/v3/keys/query`, {
      method: "POST", headers: { Authorization: `Bearer ${alice.accessToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ device_keys: { [BOT]: [] } }),
    });
    return (await res.json()) as Record<string, unknown>;
  };
  const bodies = (): string[] => seen.filter((e) => e.type === "m.room.message").map((e) => String(e.content["body"]));
  const aliceSends = async (body: string): Promise<string> => (await alice.client.sendTextMessage(roomId, body)).event_id;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "entente-bot-platform-"));
    const port = await freePort();
    registrationPath = join(dir, "tasks.yaml");
    writeFileSync(registrationPath, appserviceRegistrationYaml({ bot: "tasks", serverName: SERVER, url: `http://127.0.0.1:${port}`, asToken: "as-secret", hsToken: "hs-secret" }));
    hs = await startTestHomeserver({ overrides: { appservices: { registrationFiles: [registrationPath], retryInitialMs: 50, retryMaxMs: 400 } } });
    alice = await newClient(hs.url, "alice");
    await alice.client.initRustCrypto({ useIndexedDB: false });
    // Strict ("exclude insecure devices", MSC4153): room keys go only to devices their owner
    // cross-signed, and only such devices' events are decrypted. It needs alice cross-signed too.
    await alice.client.getCrypto()?.bootstrapCrossSigning({ authUploadDeviceSigningKeys: async (makeRequest) => { await makeRequest(null); } });
    alice.client.getCrypto()?.setDeviceIsolationMode(new OnlySignedDevicesIsolationMode());
    await startSyncing(alice.client);
  });

  after(async () => {
    await bot?.stop().catch(() => undefined);
    alice.client.stopClient();
    await hs.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates one device without UIA and cross-signs it at first start", async () => {
    bot = await start();
    const keys = await keysOfBot();
    const devices = (keys["device_keys"] as Record<string, Record<string, unknown>>)[BOT] ?? {};
    assert.deepEqual(Object.keys(devices), ["ENTENTEBOT"]);
    assert.ok((keys["master_keys"] as Record<string, unknown>)[BOT], "master key published");
    assert.ok(existsSync(join(dir, "bot-store/crypto-store.v8")), "the crypto store snapshot is on disk");
  });

  it("cross-signed: alice in strict mode decrypts the bot's encrypted answer, threaded under the command", async () => {
    roomId = (await alice.client.createRoom({
      name: "Groupe", invite: [BOT],
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    })).room_id;
    await waitFor("the bot joined", () => alice.client.getRoom(roomId)?.getMember(BOT)?.membership === "join" || undefined);
    const cmd = await aliceSends("!ping un");
    await waitFor("the bot saw the command", () => bodies().includes("!ping un") || undefined);
    assert.equal(seen.find((e) => e.eventId === cmd)?.encrypted, true);
    const reply = await waitFor("alice decrypts the answer", () => alice.client.getRoom(roomId)?.getLiveTimeline().getEvents()
      .find((e) => e.getSender() === BOT && e.getType() === "m.room.message" && !e.isDecryptionFailure()));
    assert.equal(reply.isEncrypted(), true);
    assert.equal(reply.getContent()["body"], "pong un");
    const rel = reply.getContent()["m.relates_to"] as Record<string, unknown>;
    assert.equal(rel["rel_type"], "m.thread");
    assert.equal(rel["event_id"], cmd);
    assert.deepEqual(reply.getContent()["m.mentions"], { user_ids: [alice.userId] });
    const status = await alice.client.getCrypto()?.getDeviceVerificationStatus(BOT, "ENTENTEBOT");
    assert.equal(status?.signedByOwner, true, "the bot's device is signed by its self-signing key");
  });

  it("stopped, then restarted from its snapshot: same device and keys, decrypts what was sent meanwhile", async () => {
    const before = JSON.stringify(await keysOfBot());
    await bot?.stop();
    bot = undefined;
    await aliceSends("deux");
    await aliceSends("trois");
    bot = await start();
    await waitFor("both messages decrypted after the restart", () => (bodies().includes("deux") && bodies().includes("trois")) || undefined, 30_000);
    assert.deepEqual(bodies().slice(-2), ["deux", "trois"]);
    assert.equal(JSON.stringify(await keysOfBot()), before, "no new device, no new cross-signing keys");
    assert.deepEqual(logs.filter((l) => l["msg"] === "undecryptable event skipped"), []);
  });
});
