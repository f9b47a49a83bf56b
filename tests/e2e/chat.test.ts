// Issue 3 acceptance: two real matrix-js-sdk clients chat through a real homeserver, on SQLite
// and on PostgreSQL.
import assert from "node:assert/strict";
import * as sdk from "matrix-js-sdk";
import { startTestHomeserver, waitFor, type DbKind, type TestHomeserver } from "../harness/homeserver.ts";
import { newClient, startSyncing, type TestClient } from "../harness/matrix-client.ts";
import { requirePostgres } from "../harness/postgres.ts";

const bodies = (room: sdk.Room | null): string[] =>
  (room?.getLiveTimeline().getEvents() ?? []).filter((e) => e.getType() === "m.room.message").map((e) => String(e.getContent()["body"]));

for (const db of ["sqlite", "postgres"] as DbKind[]) {
  describe(`chat between two matrix-js-sdk clients (${db})`, function () {
    this.timeout(120_000);
    let server: TestHomeserver;
    let alice: TestClient;
    let bob: TestClient;
    let roomId: string;

    before(async function () {
      if (db === "postgres") await requirePostgres(this);
      server = await startTestHomeserver({ db });
      alice = await newClient(server.url, "alice");
      bob = await newClient(server.url, "bob");
      await startSyncing(alice.client);
      await startSyncing(bob.client);
    });
    after(async () => {
      alice?.client.stopClient();
      bob?.client.stopClient();
      await server?.stop();
    });

    it("creates a room, invites and joins", async () => {
      ({ room_id: roomId } = await alice.client.createRoom({ name: "Comité voirie", preset: sdk.Preset.PrivateChat, invite: [bob.userId] }));
      await waitFor("bob's invite", () => bob.client.getRoom(roomId)?.getMyMembership() === "invite" || undefined);
      await bob.client.joinRoom(roomId);
      await waitFor("bob joined on alice's side", () => alice.client.getRoom(roomId)?.getMember(bob.userId)?.membership === "join" || undefined);
      assert.equal(bob.client.getRoom(roomId)?.name, "Comité voirie");
    });

    it("exchanges 100 messages both ways, seen through sync in order", async () => {
      for (let i = 0; i < 50; i++) {
        await alice.client.sendTextMessage(roomId, `a${i}`);
        await bob.client.sendTextMessage(roomId, `b${i}`);
      }
      const expected = Array.from({ length: 50 }, (_, i) => [`a${i}`, `b${i}`]).flat();
      for (const [c, other] of [[alice, "b"], [bob, "a"]] as const) {
        await waitFor("all 100 messages", () => (bodies(c.client.getRoom(roomId)).length >= 100 ? true : undefined));
        const seen = bodies(c.client.getRoom(roomId));
        assert.deepEqual([...seen].sort(), [...expected].sort());
        // the other user's messages arrive through sync in send order (own messages are local echoes)
        assert.deepEqual(seen.filter((b) => b.startsWith(other)), expected.filter((b) => b.startsWith(other)));
      }
      // and the server's order is the interleaved send order
      const page = await alice.client.createMessagesRequest(roomId, null, 200, sdk.Direction.Backward);
      const serverOrder = page.chunk.filter((e) => e.type === "m.room.message").map((e) => String(e.content["body"])).reverse();
      assert.deepEqual(serverOrder, expected);
    });

    it("paginates history with a fresh client", async () => {
      const fresh = sdk.createClient({ baseUrl: server.url, userId: bob.userId, accessToken: bob.accessToken, deviceId: bob.deviceId });
      await startSyncing(fresh, { initialSyncLimit: 5 });
      const room = fresh.getRoom(roomId);
      assert.ok(room);
      while (await fresh.scrollback(room, 30).then(() => room.oldState.paginationToken !== null && bodies(room).length < 100)) { /* keep paginating */ }
      assert.deepEqual(bodies(room).slice(0, 4), ["a0", "b0", "a1", "b1"]);
      assert.equal(bodies(room).length, 100);
      fresh.stopClient();
    });

    it("changes name and topic, seen by the other side", async () => {
      await alice.client.setRoomName(roomId, "Comité voirie 2027");
      await alice.client.setRoomTopic(roomId, "Travaux rue de la Mairie");
      await waitFor("name on bob's side", () => bob.client.getRoom(roomId)?.name === "Comité voirie 2027" || undefined);
      await waitFor("topic on bob's side", () =>
        bob.client.getRoom(roomId)?.currentState.getStateEvents("m.room.topic", "")?.getContent()["topic"] === "Travaux rue de la Mairie" || undefined);
    });

    it("redacts a message", async () => {
      const { event_id } = await bob.client.sendTextMessage(roomId, "à supprimer");
      await waitFor("message on alice", () => alice.client.getRoom(roomId)?.findEventById(event_id) ?? undefined);
      await bob.client.redactEvent(roomId, event_id);
      await waitFor("redaction on alice", () => (alice.client.getRoom(roomId)?.findEventById(event_id)?.isRedacted() ? true : undefined));
      const res = await fetch(`${server.url}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(event_id)}`, { headers: { Authorization: `Bearer ${alice.accessToken}` } });
      assert.deepEqual(((await res.json()) as { content: unknown }).content, {});
    });

    it("sends typing notifications and read receipts", async () => {
      await alice.client.sendTyping(roomId, true, 10_000);
      await waitFor("typing on bob", () => bob.client.getRoom(roomId)?.getMember(alice.userId)?.typing || undefined);
      await alice.client.sendTyping(roomId, false, 0);
      await waitFor("typing stopped", () => (bob.client.getRoom(roomId)?.getMember(alice.userId)?.typing === false ? true : undefined));
      const { event_id: lastId } = await alice.client.sendTextMessage(roomId, "à lire");
      const last = await waitFor("alice's message on bob", () => bob.client.getRoom(roomId)?.findEventById(lastId));
      await bob.client.sendReadReceipt(last);
      await waitFor("receipt on alice", () => alice.client.getRoom(roomId)?.getEventReadUpTo(bob.userId) === last.getId() || undefined);
    });

    it("uploads and downloads media through authenticated media", async () => {
      const bytes = Buffer.from("Délibération du conseil municipal n°2026-42", "utf8");
      const { content_uri } = await alice.client.uploadContent(bytes, { type: "text/plain", name: "deliberation.txt" });
      await alice.client.sendMessage(roomId, { msgtype: sdk.MsgType.File, body: "deliberation.txt", url: content_uri });
      const httpUrl = bob.client.mxcUrlToHttp(content_uri, undefined, undefined, undefined, false, true, true);
      assert.ok(httpUrl?.includes("/_matrix/client/v1/media/download/"), String(httpUrl));
      const res = await fetch(httpUrl!, { headers: { Authorization: `Bearer ${bob.accessToken}` } });
      assert.equal(res.status, 200);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);
      const anon = await fetch(httpUrl!);
      assert.equal(anon.status, 401);
    });

    it("catches up incrementally when restarted with its sync token", async () => {
      const first = await syncOnce(server.url, bob.accessToken);
      bob.client.stopClient();
      await alice.client.sendTextMessage(roomId, "pendant ton absence");
      const next = await syncOnce(server.url, bob.accessToken, first.next_batch);
      const timeline = (next.rooms.join[roomId]?.timeline.events ?? []) as { content: { body?: string } }[];
      assert.deepEqual(timeline.map((e) => e.content.body), ["pendant ton absence"]);
    });
  });
}

interface SyncBody {
  next_batch: string;
  rooms: { join: Record<string, { timeline: { events: unknown[] } }> };
}
async function syncOnce(url: string, token: string, since?: string): Promise<SyncBody> {
  const q = since ? `?since=${encodeURIComponent(since)}&timeout=0` : "?timeout=0";
  const res = await fetch(`${url}/_matrix/client/v3/sync${q}`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  return (await res.json()) as SyncBody;
}
