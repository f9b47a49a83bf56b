// A message received over federation is checked (remote-input.ts): its prev events, its auth
// events against their own, against the state before it, and soft-fail against the current state.
// Those checks read the same rows several times (the prev events three times, the auth events
// twice, the event itself twice, and a second auth check on the same state when the message
// follows the room's latest event): 6 event reads per message before, on the receiving council's
// real EventStore. Now each id is read once per received event (RowReads) and the soft-fail check
// is skipped when the current state is the state before the event. Real councils over HTTPS.
// Nor do received messages drop the room's kept members any more (rooms/room-members.ts: each
// one's wake-up read them before waking anyone), while a received state event still does.
// The soft-fail check itself (current state not the state before) is tested in
// policy-and-bad-pdus.test.ts; a gap filled with get_missing_events in netsplit.test.ts.
import assert from "node:assert/strict";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import { requirePostgres } from "../harness/postgres.ts";

const C = "/_matrix/client/v3";

for (const db of ["sqlite", "postgres"] as const) describe(`a message received over federation (${db})`, function () {
  this.timeout(120_000);
  let fed: TestFederation | undefined;
  afterEach(async () => {
    await fed?.stop();
    fed = undefined;
  });

  it("reads its prev and auth events once, and is stored neither rejected nor soft-failed", async function () {
    if (db === "postgres") await requirePostgres(this);
    fed = await startFederation(["ville-a.test", "agglo-b.test"], { db });
    const a = fed.get("ville-a.test").url;
    const b = fed.get("agglo-b.test").url;
    const s = fed.get("agglo-b.test").hs?.context;
    assert.ok(s?.federation);
    const alice: Session = await registerUser(a, "alice");
    const bob: Session = await registerUser(b, "bob");
    const { room_id: roomId } = await call<{ room_id: string }>(a, alice, "POST", `${C}/createRoom`, { preset: "public_chat" });
    await call(b, bob, "POST", `${C}/join/${enc(roomId)}?server_name=ville-a.test`, {});
    await waitFor("bob joined on A", async () => bob.userId in (await call<{ joined: Record<string, unknown> }>(a, alice, "GET", `${C}/rooms/${enc(roomId)}/joined_members`)).joined || undefined);

    // B's event reads by id, counted while B checks and stores each received event
    const events = s.stores.events;
    const getEvents = events.getEvents.bind(events);
    let inside = 0;
    let reads = 0;
    events.getEvents = (ids, exec) => {
      if (inside > 0) reads++;
      return getEvents(ids, exec);
    };
    const input = s.federation.input;
    const process = input.process.bind(input);
    input.process = async (...args) => {
      inside++;
      try {
        return await process(...args);
      } finally {
        inside--;
      }
    };

    const perMessage: number[] = [];
    for (let n = 0; n < 3; n++) {
      const before = reads;
      const { event_id: eventId } = await call<{ event_id: string }>(a, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/m${n}`, { msgtype: "m.text", body: `message ${n}` });
      const row = await waitFor("B stored the message", async () => (await getEvents([eventId])).get(eventId));
      assert.deepEqual([row.rejected, row.softFailed, row.outlier], [undefined, false, false], "accepted");
      perMessage.push(reads - before);
    }
    // the event itself, its prev events, its auth events (the state's auth events for a message are
    // the same ones): was 6 (the event twice, the prev events three times, a second auth check)
    assert.deepEqual(perMessage, [3, 3, 3], "event reads per received message");
  });

  it("keeps the room's members across received messages, not across a received state event", async function () {
    if (db === "postgres") await requirePostgres(this);
    fed = await startFederation(["ville-a.test", "agglo-b.test"], { db });
    const a = fed.get("ville-a.test").url;
    const b = fed.get("agglo-b.test").url;
    const s = fed.get("agglo-b.test").hs?.context;
    assert.ok(s);
    const alice: Session = await registerUser(a, "alice");
    const bob: Session = await registerUser(b, "bob");
    const { room_id: roomId } = await call<{ room_id: string }>(a, alice, "POST", `${C}/createRoom`, { preset: "public_chat" });
    const room = `${C}/rooms/${enc(roomId)}`;
    await call(b, bob, "POST", `${C}/join/${enc(roomId)}?server_name=ville-a.test`, {});
    // B's reads of the room's members (rooms/room-members.ts), on its real RoomStore
    let reads = 0;
    const rooms = s.stores.rooms;
    const snapshot = rooms.memberSnapshot.bind(rooms);
    rooms.memberSnapshot = (id) => {
      reads++;
      return snapshot(id);
    };
    let since = (await call<{ next_batch: string }>(b, bob, "GET", `${C}/sync?timeout=0`)).next_batch;
    let n = 0;
    /** Alice sends (a message, or a state event); Bob's long-poll on B is woken with it. Returns B's member reads meanwhile. */
    const received = async (path: string, content: Record<string, unknown>): Promise<number> => {
      const before = reads;
      const poll = call<{ next_batch: string; rooms?: { join?: Record<string, { timeline: { events: { event_id: string }[] } }> } }>(b, bob, "GET", `${C}/sync?timeout=30000&since=${since}`);
      const { event_id: eventId } = await call<{ event_id: string }>(a, alice, "PUT", `${room}/${path}`.replace("TXN", `t${n++}`), content);
      const r = await poll;
      since = r.next_batch;
      assert.ok(r.rooms?.join?.[roomId]?.timeline.events.some((e) => e.event_id === eventId), "bob's long-poll woken with it");
      return reads - before;
    };
    const message = (): Promise<number> => received("send/m.room.message/TXN", { msgtype: "m.text", body: `message ${n}` });
    await message(); // the first one reads them (nothing kept since bob joined)
    assert.deepEqual([await message(), await message(), await message()], [0, 0, 0], "member reads per received message");
    assert.equal(await received("state/m.room.topic/", { topic: "ordre du jour" }), 1, "a received state event drops the kept members");
    await message();
    assert.deepEqual([await message(), await message()], [0, 0]);
  });
});
