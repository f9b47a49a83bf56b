// Ignoring users on a real server, with three users: alice ignores bob, carol is the control.
// Bob's non-state events disappear from alice's /sync, /messages, /context, /relations and
// /threads from the next request on; his state events stay; his invites are dropped; the list's
// shape is checked; un-ignoring shows his new events at once. Also through matrix-js-sdk.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#ignoring-users
import assert from "node:assert/strict";
import * as sdk from "matrix-js-sdk";
import { registerUser, startTestHomeserver, waitFor, type TestHomeserver } from "../harness/homeserver.ts";
import { newClient, startSyncing, type TestClient } from "../harness/matrix-client.ts";
import { ApiError, call, enc, type Session } from "../harness/client-api.ts";

const C = "/_matrix/client/v3";
const V1 = "/_matrix/client/v1";
type Json = Record<string, unknown>;
interface Ev { type: string; sender: string; event_id: string; state_key?: string; content: Json }
interface SyncBody { next_batch: string; rooms: { join: Record<string, { timeline: { events: Ev[] } }>; invite: Record<string, unknown> }; account_data: { events: Ev[] } }

describe("ignored users (m.ignored_user_list)", function () {
  this.timeout(120_000);
  let server: TestHomeserver;
  let alice: Session;
  let bob: Session;
  let carol: Session;
  let roomId: string;
  let since: string;
  const api = <T = Json>(s: Session, method: string, path: string, body?: unknown): Promise<T> => call<T>(server.url, s, method, path, body);
  let n = 0;
  const send = async (s: Session, body: string, extra: Json = {}): Promise<string> =>
    (await api<{ event_id: string }>(s, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/t${n++}`, { msgtype: "m.text", body, ...extra })).event_id;
  const ignore = (users: string[]): Promise<Json> =>
    api(alice, "PUT", `${C}/user/${enc(alice.userId)}/account_data/m.ignored_user_list`, { ignored_users: Object.fromEntries(users.map((u) => [u, {}])) });
  const sync = (s: Session, from?: string): Promise<SyncBody> => api<SyncBody>(s, "GET", `${C}/sync?timeout=0${from ? `&since=${enc(from)}` : ""}`);
  const bodies = (evs: readonly Ev[]): string[] => evs.filter((e) => e.type === "m.room.message").map((e) => String(e.content["body"]));
  const status = async (p: Promise<unknown>): Promise<[number, unknown]> => {
    try {
      await p;
      return [200, undefined];
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return [e.status, e.body["errcode"]];
    }
  };

  before(async () => {
    server = await startTestHomeserver();
    alice = await registerUser(server.url, "alice");
    bob = await registerUser(server.url, "bob");
    carol = await registerUser(server.url, "carol");
    roomId = (await api<{ room_id: string }>(carol, "POST", `${C}/createRoom`, { preset: "public_chat", name: "Urbanisme", power_level_content_override: { events: { "m.room.topic": 0 } } })).room_id;
    for (const s of [alice, bob]) await api(s, "POST", `${C}/join/${enc(roomId)}`, {});
    await send(bob, "avant l'ignorance");
    since = (await sync(alice)).next_batch;
  });
  after(async () => server?.stop());

  it("checks the list's shape when it is set", async () => {
    const path = `${C}/user/${enc(alice.userId)}/account_data/m.ignored_user_list`;
    assert.deepEqual(await status(api(alice, "PUT", path, {})), [400, "M_BAD_JSON"]);
    assert.deepEqual(await status(api(alice, "PUT", path, { ignored_users: [bob.userId] })), [400, "M_BAD_JSON"]);
    assert.deepEqual(await status(api(alice, "PUT", path, { ignored_users: { [bob.userId]: true } })), [400, "M_BAD_JSON"]);
    assert.deepEqual(await status(api(alice, "PUT", path, { ignored_users: { bob: {} } })), [400, "M_INVALID_PARAM"]);
    assert.deepEqual(await status(api(alice, "GET", path)), [404, "M_NOT_FOUND"], "nothing was stored");
    assert.deepEqual(await status(ignore([])), [200, undefined]);
  });

  it("hides bob's messages from alice's next sync, keeps his state events and carol's messages", async () => {
    await ignore([bob.userId]);
    await send(bob, "ignoré 1");
    await send(carol, "visible 1");
    await api(bob, "PUT", `${C}/rooms/${enc(roomId)}/state/m.room.topic/`, { topic: "sujet de bob" });
    const next = await sync(alice, since);
    since = next.next_batch;
    const events = next.rooms.join[roomId]?.timeline.events ?? [];
    assert.deepEqual(bodies(events), ["visible 1"]);
    assert.ok(events.some((e) => e.type === "m.room.topic" && e.sender === bob.userId), "bob's state event is still sent");
    assert.ok(next.account_data.events.some((e) => e.type === "m.ignored_user_list"), "the new list reaches the client");
    // carol, who ignores nobody, sees everything
    assert.deepEqual(bodies((await sync(carol)).rooms.join[roomId]?.timeline.events ?? []).slice(-3), ["avant l'ignorance", "ignoré 1", "visible 1"]);
  });

  it("an initial sync and /messages leave out all of bob's messages, older ones included", async () => {
    const initial = await sync(alice);
    assert.deepEqual(bodies(initial.rooms.join[roomId]?.timeline.events ?? []), ["visible 1"]);
    const page = await api<{ chunk: Ev[] }>(alice, "GET", `${C}/rooms/${enc(roomId)}/messages?dir=b&limit=50`);
    assert.deepEqual(bodies(page.chunk), ["visible 1"]);
    assert.ok(page.chunk.some((e) => e.type === "m.room.member" && e.sender === bob.userId), "bob's join (state) is kept");
    const carolPage = await api<{ chunk: Ev[] }>(carol, "GET", `${C}/rooms/${enc(roomId)}/messages?dir=b&limit=50`);
    assert.deepEqual(bodies(carolPage.chunk), ["visible 1", "ignoré 1", "avant l'ignorance"]);
  });

  it("/notifications leaves out bob's messages, also those that notified before he was ignored", async () => {
    const mine = await api<{ notifications: { event: Ev }[] }>(alice, "GET", `${C}/notifications?limit=100`);
    const notified = mine.notifications.map((x) => String(x.event.content["body"]));
    assert.ok(notified.includes("visible 1"), JSON.stringify(notified));
    assert.ok(!notified.includes("avant l'ignorance") && !notified.includes("ignoré 1"), JSON.stringify(notified));
    // carol's notifications show bob's messages: the filter is alice's alone
    const hers = await api<{ notifications: { event: Ev }[] }>(carol, "GET", `${C}/notifications?limit=100`);
    assert.ok(hers.notifications.some((x) => x.event.content["body"] === "avant l'ignorance"));
  });

  it("/context, /relations and /threads leave out bob's events; his events are 404 but still reportable", async () => {
    const root = await send(carol, "racine");
    const bobReply = await send(bob, "réponse de bob", { "m.relates_to": { rel_type: "m.thread", event_id: root } });
    const carolReply = await send(carol, "réponse de carol", { "m.relates_to": { rel_type: "m.thread", event_id: root } });
    const bobRoot = await send(bob, "fil de bob");
    await send(carol, "réponse à bob", { "m.relates_to": { rel_type: "m.thread", event_id: bobRoot } });
    const ctx = await api<{ events_before: Ev[]; events_after: Ev[] }>(alice, "GET", `${C}/rooms/${enc(roomId)}/context/${enc(carolReply)}?limit=10`);
    assert.ok(![...ctx.events_before, ...ctx.events_after].some((e) => e.sender === bob.userId && e.type === "m.room.message"), "no message of bob around");
    assert.ok(bodies(ctx.events_before).includes("racine"));
    assert.deepEqual(await status(api(alice, "GET", `${C}/rooms/${enc(roomId)}/context/${enc(bobReply)}`)), [404, "M_NOT_FOUND"]);
    assert.deepEqual(await status(api(alice, "GET", `${C}/rooms/${enc(roomId)}/event/${enc(bobReply)}`)), [404, "M_NOT_FOUND"]);
    const rel = await api<{ chunk: Ev[] }>(alice, "GET", `${V1}/rooms/${enc(roomId)}/relations/${enc(root)}`);
    assert.deepEqual(rel.chunk.map((e) => e.event_id), [carolReply]);
    const carolRel = await api<{ chunk: Ev[] }>(carol, "GET", `${V1}/rooms/${enc(roomId)}/relations/${enc(root)}`);
    assert.deepEqual(carolRel.chunk.map((e) => e.event_id).sort(), [bobReply, carolReply].sort());
    const threads = await api<{ chunk: Ev[] }>(alice, "GET", `${V1}/rooms/${enc(roomId)}/threads`);
    assert.deepEqual(threads.chunk.map((e) => e.event_id), [root], "bob's thread root is hidden");
    assert.equal((await api<{ chunk: Ev[] }>(carol, "GET", `${V1}/rooms/${enc(roomId)}/threads`)).chunk.length, 2);
    // reporting bob's message, the usual companion of ignoring him, still works
    assert.deepEqual(await status(api(alice, "POST", `${C}/rooms/${enc(roomId)}/report/${enc(bobReply)}`, { reason: "spam" })), [200, undefined]);
  });

  it("drops bob's invites from alice's sync, but not carol's", async () => {
    const fromBob = (await api<{ room_id: string }>(bob, "POST", `${C}/createRoom`, { invite: [alice.userId] })).room_id;
    const fromCarol = (await api<{ room_id: string }>(carol, "POST", `${C}/createRoom`, { invite: [alice.userId] })).room_id;
    const next = await sync(alice, since);
    since = next.next_batch;
    assert.ok(next.rooms.invite[fromCarol], "carol's invite is shown");
    assert.equal(next.rooms.invite[fromBob], undefined, "bob's invite is dropped");
    assert.equal((await sync(alice)).rooms.invite[fromBob], undefined, "also from an initial sync");
  });

  it("un-ignoring shows bob's new messages from the next sync on, without replaying the hidden ones", async () => {
    await ignore([]);
    await send(bob, "de retour");
    const next = await sync(alice, since);
    since = next.next_batch;
    assert.deepEqual(bodies(next.rooms.join[roomId]?.timeline.events ?? []), ["de retour"]);
    // history is whole again for a fresh look at the room
    const page = await api<{ chunk: Ev[] }>(alice, "GET", `${C}/rooms/${enc(roomId)}/messages?dir=b&limit=50`);
    assert.ok(bodies(page.chunk).includes("ignoré 1") && bodies(page.chunk).includes("avant l'ignorance"));
  });

  it("an initial sync reads the list once, however many rooms the user is in", async () => {
    for (let i = 0; i < 6; i++) await api(alice, "POST", `${C}/createRoom`, {});
    const streams = server.hs.context.stores.streams;
    const original = streams.getAccountData.bind(streams);
    let reads = 0;
    streams.getAccountData = (userId, roomId, type) => {
      if (type === "m.ignored_user_list" && userId === alice.userId) reads++;
      return original(userId, roomId, type);
    };
    try {
      const initial = await sync(alice);
      assert.ok(Object.keys(initial.rooms.join).length >= 7);
    } finally {
      streams.getAccountData = original;
    }
    // at most once: the list is also kept between syncs while the account-data position stays
    // (server/sync/kept-reads.ts, PostgreSQL), so an earlier sync may have read it already
    assert.ok(reads <= 1, `${reads} reads`);
  });

  describe("with matrix-js-sdk", () => {
    let dan: TestClient;
    let eve: TestClient;
    let fay: TestClient;
    let sdkRoom: string;
    after(() => {
      for (const c of [dan, eve, fay]) c?.client.stopClient();
    });

    it("setIgnoredUsers hides the ignored user's new messages in the client's live timeline", async () => {
      [dan, eve, fay] = [await newClient(server.url, "dan"), await newClient(server.url, "eve"), await newClient(server.url, "fay")];
      sdkRoom = (await fay.client.createRoom({ preset: sdk.Preset.PublicChat })).room_id;
      await dan.client.joinRoom(sdkRoom);
      await eve.client.joinRoom(sdkRoom);
      await startSyncing(dan.client);
      await dan.client.setIgnoredUsers([eve.userId]);
      await waitFor("the list in dan's client", () => (dan.client.isUserIgnored(eve.userId) ? true : undefined));
      await eve.client.sendTextMessage(sdkRoom, "message d'eve");
      const marker = (await fay.client.sendTextMessage(sdkRoom, "message de fay")).event_id;
      const live = (): sdk.MatrixEvent[] => dan.client.getRoom(sdkRoom)?.getLiveTimeline().getEvents() ?? [];
      await waitFor("fay's message in dan's timeline", () => (live().some((e) => e.getId() === marker) ? true : undefined));
      assert.ok(!live().some((e) => e.getSender() === eve.userId && e.getType() === "m.room.message"), "eve's message never reached dan");
      assert.ok(live().some((e) => e.getSender() === eve.userId && e.getType() === "m.room.member"), "eve's join is there");
      assert.deepEqual(dan.client.getIgnoredUsers(), [eve.userId]);
    });
  });
});
