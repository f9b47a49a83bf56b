// What Element (and other clients) check before turning features on, against a real homeserver:
// the unstable_features of /versions (each advertised flag's feature is exercised here), display
// names and avatars in the member events the server builds, and the endpoints clients poll
// (thirdparty protocols, TURN credentials in coturn's REST API scheme).
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { registerUser, startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";
import { ApiError, call, enc, type Session } from "../harness/client-api.ts";
import { UNSTABLE_FEATURES } from "../../homeserver/src/server/api/discovery/unstable-features.ts";
import { ed25519, signObject, type Ed25519, type Json as SignedJson } from "../e2ee-helpers.ts";

const C = "/_matrix/client/v3";
const V1 = "/_matrix/client/v1";
type Json = Record<string, unknown>;

describe("Element compatibility", function () {
  this.timeout(60_000);
  let server: TestHomeserver;
  let alice: Session;
  let bob: Session;
  const api = <T = Json>(s: Session | undefined, method: string, path: string, body?: unknown): Promise<T> => call<T>(server.url, s, method, path, body);
  const createRoom = async (s: Session, body: Json): Promise<string> => (await api<{ room_id: string }>(s, "POST", `${C}/createRoom`, body)).room_id;
  const send = async (s: Session, roomId: string, content: Json): Promise<string> =>
    (await api<{ event_id: string }>(s, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/${Math.random().toString(36).slice(2)}`, content)).event_id;
  const member = (s: Session, roomId: string, userId: string): Promise<Json> => api(s, "GET", `${C}/rooms/${enc(roomId)}/state/m.room.member/${enc(userId)}`);

  before(async () => {
    server = await startTestHomeserver();
    alice = await registerUser(server.url, "alice");
    bob = await registerUser(server.url, "bob");
  });
  after(async () => server?.stop());

  describe("unstable_features of /versions", () => {
    function csKey(userId: string, usage: string, key: Ed25519, signer?: Ed25519): SignedJson {
      const k = { user_id: userId, usage: [usage], keys: { [`ed25519:${key.pub}`]: key.pub } };
      return signer ? signObject(k, userId, `ed25519:${signer.pub}`, signer) : k;
    }
    /** One check per advertised flag: the feature behind it answers as the flag promises. */
    const checks: Record<string, () => Promise<void>> = {
      "org.matrix.e2e_cross_signing": async () => {
        const master = ed25519();
        const selfSigning = ed25519();
        const u = alice.userId;
        await api(alice, "POST", `${C}/keys/device_signing/upload`, { master_key: csKey(u, "master", master), self_signing_key: csKey(u, "self_signing", selfSigning, master) });
        const q = await api<{ master_keys: Json }>(bob, "POST", `${C}/keys/query`, { device_keys: { [u]: [] } });
        assert.ok(q.master_keys[u], "bob sees alice's master key");
      },
      "org.matrix.msc3440.stable": async () => {
        const roomId = await createRoom(alice, {});
        const root = await send(alice, roomId, { msgtype: "m.text", body: "root" });
        await send(alice, roomId, { msgtype: "m.text", body: "reply", "m.relates_to": { rel_type: "m.thread", event_id: root } });
        const threads = await api<{ chunk: { event_id: string }[] }>(alice, "GET", `${V1}/rooms/${enc(roomId)}/threads`);
        assert.deepEqual(threads.chunk.map((e) => e.event_id), [root]);
      },
      "org.matrix.msc2285.stable": async () => {
        const roomId = await createRoom(alice, {});
        const ev = await send(alice, roomId, { msgtype: "m.text", body: "read me" });
        await api(alice, "POST", `${C}/rooms/${enc(roomId)}/receipt/m.read.private/${enc(ev)}`, {});
        const sync = await api<{ rooms: { join: Record<string, { ephemeral: { events: { type: string; content: Json }[] } }> } }>(alice, "GET", `${C}/sync?timeout=0`);
        const receipts = sync.rooms.join[roomId]?.ephemeral.events.find((e) => e.type === "m.receipt")?.content ?? {};
        assert.ok((receipts[ev] as Json | undefined)?.["m.read.private"], JSON.stringify(receipts));
      },
      "org.matrix.msc3916.stable": async () => {
        const cfg = await api(alice, "GET", `${V1}/media/config`);
        assert.equal(typeof cfg["m.upload.size"], "number");
      },
      "org.matrix.msc3827.stable": async () => {
        const space = await createRoom(alice, { visibility: "public", creation_content: { type: "m.space" } });
        await createRoom(alice, { visibility: "public" });
        const res = await api<{ chunk: { room_id: string; room_type?: string }[] }>(alice, "POST", `${C}/publicRooms`, { filter: { room_types: ["m.space"] } });
        assert.deepEqual(res.chunk.map((r) => r.room_id), [space]);
      },
    };

    it("advertises cross-signing and the stable-flag features Element checks, from the one table", async () => {
      const v = await api<{ unstable_features: Json }>(undefined, "GET", "/_matrix/client/versions");
      for (const flag of ["org.matrix.e2e_cross_signing", "org.matrix.msc3440.stable", "org.matrix.msc2285.stable", "org.matrix.msc3916.stable", "org.matrix.msc3827.stable"]) {
        assert.equal(v.unstable_features[flag], true, flag);
      }
      assert.deepEqual(Object.keys(v.unstable_features).sort(), UNSTABLE_FEATURES.map((f) => f.flag).sort());
      // not implemented: thread notification counts in /sync
      assert.equal(v.unstable_features["org.matrix.msc3773"], undefined);
    });

    for (const f of UNSTABLE_FEATURES) {
      it(`${f.flag}: the feature works`, async () => {
        const check = checks[f.flag];
        assert.ok(check, `no check for the advertised flag ${f.flag}: add one or drop the flag`);
        await check();
      });
    }
  });

  describe("member events carry the profile", () => {
    before(async () => {
      await api(alice, "PUT", `${C}/profile/${enc(alice.userId)}/displayname`, { displayname: "Alice Martin" });
      await api(alice, "PUT", `${C}/profile/${enc(alice.userId)}/avatar_url`, { avatar_url: "mxc://test.local/alice" });
      await api(bob, "PUT", `${C}/profile/${enc(bob.userId)}/displayname`, { displayname: "Bob Durand" });
    });

    it("the creator's join, a local invite (the invitee's profile) and a join through the client API", async () => {
      const roomId = await createRoom(alice, { preset: "private_chat" });
      const creator = await member(alice, roomId, alice.userId);
      assert.deepEqual(creator, { membership: "join", displayname: "Alice Martin", avatar_url: "mxc://test.local/alice" });
      await api(alice, "POST", `${C}/rooms/${enc(roomId)}/invite`, { user_id: bob.userId });
      assert.deepEqual(await member(alice, roomId, bob.userId), { membership: "invite", displayname: "Bob Durand" });
      await api(bob, "POST", `${C}/join/${enc(roomId)}`, {});
      assert.deepEqual(await member(alice, roomId, bob.userId), { membership: "join", displayname: "Bob Durand" });
    });

    it("invites made by createRoom (direct chats) carry the invitee's profile too", async () => {
      const roomId = await createRoom(alice, { preset: "trusted_private_chat", is_direct: true, invite: [bob.userId] });
      assert.deepEqual(await member(alice, roomId, bob.userId), { membership: "invite", displayname: "Bob Durand", is_direct: true });
    });
  });

  describe("polled endpoints", () => {
    it("GET /thirdparty/protocols answers {} (no bridged networks), and needs a token", async () => {
      assert.deepEqual(await api(alice, "GET", `${C}/thirdparty/protocols`), {});
      await assert.rejects(api(undefined, "GET", `${C}/thirdparty/protocols`), (e: unknown) => e instanceof ApiError && e.status === 401);
      await assert.rejects(api(alice, "GET", `${C}/thirdparty/protocol/irc`), (e: unknown) => e instanceof ApiError && e.status === 404 && e.body["errcode"] === "M_NOT_FOUND");
    });

    it("GET /voip/turnServer answers {} without a TURN server", async () => {
      assert.deepEqual(await api(alice, "GET", `${C}/voip/turnServer`), {});
      await assert.rejects(api(undefined, "GET", `${C}/voip/turnServer`), (e: unknown) => e instanceof ApiError && e.status === 401);
    });

    it("GET /voip/turnServer hands out coturn REST API credentials when configured", async () => {
      const uris = ["turn:turn.test.local:3478?transport=udp", "turns:turn.test.local:5349?transport=tcp"];
      const turn = await startTestHomeserver({ overrides: { voip: { turnUris: uris, turnSharedSecret: "coturn-secret", turnUserLifetime: 86_400_000 } } });
      try {
        const carol = await registerUser(turn.url, "carol");
        const before = Math.floor(Date.now() / 1000);
        const r = await call<{ username: string; password: string; uris: string[]; ttl: number }>(turn.url, carol, "GET", `${C}/voip/turnServer`);
        const [expiry, ...rest] = r.username.split(":");
        assert.equal(rest.join(":"), carol.userId);
        assert.ok(Number(expiry) >= before + 86_400 && Number(expiry) <= Math.floor(Date.now() / 1000) + 86_400, r.username);
        assert.equal(r.password, createHmac("sha1", "coturn-secret").update(r.username).digest("base64"));
        assert.deepEqual(r.uris, uris);
        assert.equal(r.ttl, 86_400);
      } finally {
        await turn.stop();
      }
    });
  });
});
