// Issue 10 item 2 across councils: a room joined over federation shows its history. The first
// /sync after the join marks the timeline limited with a usable prev_batch, and a matrix-js-sdk
// client paginates back (the server backfilling from the other council) to m.room.create.
import assert from "node:assert/strict";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { newClient, startSyncing } from "../harness/matrix-client.ts";
import { call, enc, type Session } from "../harness/client-api.ts";

interface Ev { type: string; event_id: string; content: Record<string, unknown> }
interface SyncBody { next_batch: string; rooms: { join: Record<string, { timeline: { events: Ev[]; limited: boolean; prev_batch: string } }> } }

describe("history of a room joined over federation", function () {
  this.timeout(120_000);
  let fed: TestFederation;
  after(() => fed?.stop());

  it("first sync is limited and matrix-js-sdk paginates back to m.room.create", async () => {
    fed = await startFederation(["ville-a.test", "agglo-b.test"]);
    const a = fed.get("ville-a.test").url;
    const b = fed.get("agglo-b.test").url;
    const alice: Session = await registerUser(a, "alice");
    const { room_id: roomId } = await call<{ room_id: string }>(a, alice, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat", name: "Urbanisme" });
    const sent = Array.from({ length: 45 }, (_, i) => `permis ${i}`);
    for (const [i, body] of sent.entries()) {
      await call(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/p${i}`, { msgtype: "m.text", body });
    }

    // raw /sync: the room newly in the join section is limited, its prev_batch leads to older events
    const bobRaw: Session = await registerUser(b, "bob");
    const first = await call<SyncBody>(b, bobRaw, "GET", "/_matrix/client/v3/sync?timeout=0");
    await call(b, bobRaw, "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=ville-a.test`, {});
    const next = await call<SyncBody>(b, bobRaw, "GET", `/_matrix/client/v3/sync?timeout=0&since=${enc(first.next_batch)}`);
    const room = next.rooms.join[roomId];
    assert.ok(room, "the joined room is in the join section");
    assert.equal(room.timeline.limited, true, "history exists before the join");
    const page = await call<{ chunk: Ev[] }>(b, bobRaw, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=5&from=${enc(room.timeline.prev_batch)}`);
    assert.deepEqual(page.chunk.map((e) => e.content["body"]), ["permis 44", "permis 43", "permis 42", "permis 41", "permis 40"]);

    // matrix-js-sdk: a second council user joins and scrolls back to the room's creation
    const carol = await newClient(b, "carol");
    await startSyncing(carol.client);
    try {
      await carol.client.joinRoom(roomId, { viaServers: ["ville-a.test"] });
      const r = await waitFor("room in carol's client", () => carol.client.getRoom(roomId) ?? undefined);
      const timeline = r.getLiveTimeline();
      let pages = 0;
      // paginate as Element does when the user scrolls up, until the server has no more
      while (await carol.client.paginateEventTimeline(timeline, { backwards: true, limit: 20 })) {
        if (++pages > 20) throw new Error("pagination never ended");
      }
      const events = timeline.getEvents();
      assert.equal(events[0]?.getType(), "m.room.create", "the timeline reaches the room's creation");
      const bodies = events.filter((e) => e.getType() === "m.room.message").map((e) => e.getContent()["body"]);
      assert.deepEqual(bodies, sent);
      assert.ok(pages >= 2, `paginated ${pages} times`);
    } finally {
      carol.client.stopClient();
    }
  });
});
