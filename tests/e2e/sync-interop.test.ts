// Issue 10 items 2, 15, 16, 17 on one server: a newly joined room's history in /sync, forgotten
// rooms out of the leave section, full_state on an incremental sync, and the room summary.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3sync
import assert from "node:assert/strict";
import * as sdk from "matrix-js-sdk";
import { registerUser, startTestHomeserver, waitFor, type TestHomeserver } from "../harness/homeserver.ts";
import { newClient } from "../harness/matrix-client.ts";
import { call, enc, type Session } from "../harness/client-api.ts";

const C = "/_matrix/client/v3";
type Json = Record<string, unknown>;
interface Ev { type: string; state_key?: string; sender: string; event_id: string; content: Json }
interface RoomSection { timeline: { events: Ev[]; limited: boolean; prev_batch: string }; state: { events: Ev[] }; summary?: Json }
interface SyncBody { next_batch: string; rooms: { join: Record<string, RoomSection>; leave: Record<string, RoomSection> } }

describe("sync interop: new rooms, forgotten rooms, full_state, summary", function () {
  this.timeout(120_000);
  let server: TestHomeserver;
  let alice: Session;
  let bob: Session;
  let carol: Session;
  const api = <T = Json>(s: Session, method: string, path: string, body?: unknown): Promise<T> => call<T>(server.url, s, method, C + path, body);
  const createRoom = async (s: Session, body: Json): Promise<string> => (await api<{ room_id: string }>(s, "POST", "/createRoom", body)).room_id;
  const say = async (s: Session, roomId: string, body: string): Promise<string> =>
    (await api<{ event_id: string }>(s, "PUT", `/rooms/${enc(roomId)}/send/m.room.message/${Math.random().toString(36).slice(2)}`, { msgtype: "m.text", body })).event_id;
  const sync = (s: Session, q: Record<string, string | undefined> = {}): Promise<SyncBody> => {
    const qs = Object.entries({ timeout: "0", ...q }).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${enc(String(v))}`).join("&");
    return api<SyncBody>(s, "GET", `/sync?${qs}`);
  };
  const bodies = (evs: Ev[]): string[] => evs.filter((e) => e.type === "m.room.message").map((e) => String(e.content["body"]));

  before(async () => {
    server = await startTestHomeserver();
    alice = await registerUser(server.url, "alice");
    bob = await registerUser(server.url, "bob");
    carol = await registerUser(server.url, "carol");
  });
  after(async () => server?.stop());

  it("a newly joined room comes with its recent history, limited, and prev_batch paginates to the creation", async () => {
    const roomId = await createRoom(alice, { preset: "public_chat", name: "Conseil" });
    const sent: string[] = [];
    for (let i = 0; i < 12; i++) sent.push(await say(alice, roomId, `délibération ${i}`));
    const before = await sync(bob);
    assert.equal(before.rooms.join[roomId], undefined);
    await api(bob, "POST", `/join/${enc(roomId)}`, {});
    const next = await sync(bob, { since: before.next_batch, filter: JSON.stringify({ room: { timeline: { limit: 5 } } }) });
    const room = next.rooms.join[roomId];
    assert.ok(room, "the room is in the join section");
    assert.equal(room.timeline.limited, true);
    assert.deepEqual(bodies(room.timeline.events), ["délibération 8", "délibération 9", "délibération 10", "délibération 11"]);
    assert.equal(room.timeline.events.at(-1)?.type, "m.room.member");
    assert.ok(room.state.events.some((e) => e.type === "m.room.name"), "full state before the timeline");
    // paginate back from prev_batch to m.room.create
    const seen: Ev[] = [];
    let from: string | undefined = room.timeline.prev_batch;
    for (let page = 0; page < 10 && from; page++) {
      const r: { chunk: Ev[]; end?: string } = await api(bob, "GET", `/rooms/${enc(roomId)}/messages?dir=b&limit=5&from=${enc(from)}`);
      seen.push(...r.chunk);
      from = r.end;
    }
    assert.equal(seen.at(-1)?.type, "m.room.create");
    assert.deepEqual(bodies(seen).reverse(), sent.slice(0, 8).map((_, i) => `délibération ${i}`));
  });

  it("a newly joined room's timeline holds only what history visibility lets the user see", async () => {
    const roomId = await createRoom(alice, {
      preset: "public_chat", initial_state: [{ type: "m.room.history_visibility", state_key: "", content: { history_visibility: "joined" } }],
    });
    await say(alice, roomId, "avant");
    const before = await sync(carol);
    await api(carol, "POST", `/join/${enc(roomId)}`, {});
    await say(alice, roomId, "après");
    const room = (await sync(carol, { since: before.next_batch })).rooms.join[roomId];
    assert.ok(room);
    assert.deepEqual(bodies(room.timeline.events), ["après"], "'avant' was sent while history was visible to members only");
    assert.deepEqual(room.timeline.events.slice(-2).map((e) => e.type), ["m.room.member", "m.room.message"]);
    // before the history_visibility event, the default (shared) let everyone who joins later see the room's creation
    assert.equal(room.timeline.events[0]?.type, "m.room.create");
    assert.equal(room.timeline.limited, false, "nothing older is visible to carol");
  });

  it("a forgotten room is not in the leave section, even with include_leave", async () => {
    const roomId = await createRoom(alice, { preset: "public_chat" });
    await api(bob, "POST", `/join/${enc(roomId)}`, {});
    await api(bob, "POST", `/rooms/${enc(roomId)}/leave`, {});
    const withLeave = JSON.stringify({ room: { include_leave: true } });
    assert.ok((await sync(bob, { filter: withLeave })).rooms.leave[roomId], "a left room is in the leave section");
    await api(bob, "POST", `/rooms/${enc(roomId)}/forget`, {});
    assert.equal((await sync(bob, { filter: withLeave })).rooms.leave[roomId], undefined);
    // joining again un-forgets: after a second leave the room is back in the leave section
    await api(bob, "POST", `/join/${enc(roomId)}`, {});
    await api(bob, "POST", `/rooms/${enc(roomId)}/leave`, {});
    assert.ok((await sync(bob, { filter: withLeave })).rooms.leave[roomId]);
  });

  it("full_state on an incremental sync returns the complete current state and an incremental timeline", async () => {
    const roomId = await createRoom(alice, { preset: "public_chat", name: "Voirie", topic: "Travaux" });
    await api(bob, "POST", `/join/${enc(roomId)}`, {});
    await say(alice, roomId, "ancien");
    const first = await sync(alice);
    await api(alice, "PUT", `/rooms/${enc(roomId)}/state/m.room.topic/`, { topic: "Travaux d'été" });
    await say(alice, roomId, "nouveau");
    const plain = (await sync(alice, { since: first.next_batch })).rooms.join[roomId];
    assert.ok(plain);
    assert.deepEqual(plain.state.events, [], "without full_state, no state the client already has");
    const full = (await sync(alice, { since: first.next_batch, full_state: "true" })).rooms.join[roomId];
    assert.ok(full);
    assert.deepEqual(bodies(full.timeline.events), ["nouveau"], "the timeline is still bounded by since");
    const current = await api<Ev[]>(alice, "GET", `/rooms/${enc(roomId)}/state`);
    // state = state at the start of the timeline; with the timeline's state events it is the current state
    const merged = new Map<string, string>();
    for (const e of [...full.state.events, ...full.timeline.events]) if (e.state_key !== undefined) merged.set(`${e.type}|${e.state_key}`, e.event_id);
    assert.deepEqual(merged, new Map(current.map((e) => [`${e.type}|${e.state_key ?? ""}`, e.event_id])));
    assert.ok(full.state.events.some((e) => e.type === "m.room.create"), "state the client already had is sent again");
  });

  it("the room summary gives heroes and member counts, and only when membership changed", async () => {
    const roomId = await createRoom(alice, { preset: "private_chat" });
    await api(alice, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: bob.userId });
    await api(alice, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: carol.userId });
    await api(carol, "POST", `/join/${enc(roomId)}`, {});
    const first = await sync(alice);
    assert.deepEqual(first.rooms.join[roomId]?.summary, { "m.heroes": [bob.userId, carol.userId], "m.joined_member_count": 2, "m.invited_member_count": 1 });
    await say(alice, roomId, "bonjour");
    const quiet = await sync(alice, { since: first.next_batch });
    assert.deepEqual(quiet.rooms.join[roomId]?.summary, {}, "no membership change, no summary");
    await api(bob, "POST", `/join/${enc(roomId)}`, {});
    const changed = await sync(alice, { since: quiet.next_batch });
    // heroes follow the stream order of each member's current membership event: bob's join is newer
    assert.deepEqual(changed.rooms.join[roomId]?.summary, { "m.heroes": [carol.userId, bob.userId], "m.joined_member_count": 3, "m.invited_member_count": 0 });
  });

  it("matrix-js-sdk names an unnamed room from the heroes with lazy-loaded members", async () => {
    const dave = await newClient(server.url, "dave");
    const roomId = await createRoom({ userId: dave.userId, accessToken: dave.accessToken }, { preset: "private_chat" });
    await api({ userId: dave.userId, accessToken: dave.accessToken }, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: alice.userId });
    await api(alice, "POST", `/join/${enc(roomId)}`, {});
    // the one timeline event is dave's: with lazy loading alice's member event is not sent, only the summary names her
    await say({ userId: dave.userId, accessToken: dave.accessToken }, roomId, "bienvenue");
    const filter = new sdk.Filter(dave.userId);
    filter.setDefinition({ room: { state: { lazy_load_members: true }, timeline: { limit: 1 } } });
    await new Promise<void>((resolve, reject) => {
      dave.client.once(sdk.ClientEvent.Sync, (state) => (state === sdk.SyncState.Prepared ? resolve() : reject(new Error(state))));
      void dave.client.startClient({ filter, lazyLoadMembers: true, initialSyncLimit: 1 });
    });
    try {
      const room = await waitFor("room", () => dave.client.getRoom(roomId) ?? undefined);
      assert.equal(room.getJoinedMemberCount(), 2);
      assert.match(room.name, /alice/);
    } finally {
      dave.client.stopClient();
    }
  });
});
