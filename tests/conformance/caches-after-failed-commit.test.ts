// Caches keyed by stream positions or state group ids, filled by a read that saw a group not
// committed yet (SQLite: reads share the writer's connection), must not be used once that group's
// COMMIT failed: the rolled-back positions and ids (AUTOINCREMENT, rolled back with the rows) go to
// the next events and groups, with other contents. Real homeserver and SQLite; a group is made to
// fail at COMMIT by a body inserting an orphan child row (a deferred foreign key), held open while
// the reads run, as in messages-half-written.test.ts.
// - the sync room-delta cache (sync/room-delta-cache.ts), keyed by (room, since, upTo): a delta read
//   up to a position of the open group (a leave section's delta ended at the leave's own position,
//   read from its membership row, before memberships-up-to.ts) answered the next leave there;
// - EventStore's state-group cache: the room writer's build reads the state of a group the open
//   transaction created;
// - the serialised GET /rooms/{roomId}/state cache (rooms/serialized-state.ts), keyed by state group;
// - the push evaluation's room facts (push/push-processor.ts roomState: members, power levels),
//   kept per room with the state group they were read at.
import assert from "node:assert/strict";
import type { JsonObject, Pdu } from "../../homeserver/src/room/pdu.ts";
import { registerUser, startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";
import { call as api } from "../harness/client-api.ts";
import { incrementalRoomDelta } from "../../homeserver/src/server/sync/room-delta-cache.ts";
import { parseSyncToken } from "../../homeserver/src/server/sync/sync-token.ts";
import { getRoomVersion } from "../../homeserver/src/room/room-versions.ts";
import { prepareFailingCommit, stagePoisonBody } from "../harness/failing-group.ts";

type Context = TestHomeserver["hs"]["context"];

describe("caches filled from a group whose COMMIT then failed (SQLite)", function () {
  this.timeout(60_000);
  let server: TestHomeserver | undefined;
  after(() => server?.stop());

  async function start(): Promise<{ s: Context; url: string }> {
    server ??= await startTestHomeserver();
    const s = server.hs.context;
    await prepareFailingCommit(s.db);
    return { s, url: server.url };
  }

  /**
   * Stores `pdu` (a state event built on the room's current state) in a group that also holds a
   * poison body; runs `meanwhile` while that group is open, then lets its COMMIT fail.
   */
  async function inAFailingGroup<T>(s: Context, roomId: string, eventId: string, pdu: Pdu, meanwhile: () => Promise<T>): Promise<T> {
    assert.ok(s.db.stage);
    const stateGroup = (await s.stores.rooms.getRoom(roomId))?.currentStateGroup;
    const stored = s.db.stage((tx) => s.stores.events.persist(tx, { event: { eventId, pdu }, roomId, stateGroupBefore: stateGroup }));
    const poison = stagePoisonBody(s.db);
    await stored.executed;
    await poison.held;
    const result = await meanwhile();
    poison.release();
    await assert.rejects(stored.committed, /FOREIGN KEY/);
    await assert.rejects(poison.committed, /FOREIGN KEY/);
    return result;
  }

  it("a room delta read before the failed COMMIT is not served for the leave section that takes its position", async () => {
    const { s, url } = await start();
    const [alice, bob, carol] = [await registerUser(url, "alice"), await registerUser(url, "bob"), await registerUser(url, "carol")];
    const C = "/_matrix/client/v3";
    const roomId = String((await api<JsonObject>(url, alice, "POST", `${C}/createRoom`, { preset: "public_chat" }))["room_id"]);
    const room = `/rooms/${encodeURIComponent(roomId)}`;
    await api(url, bob, "POST", `${C}/join/${encodeURIComponent(roomId)}`, {});
    await api(url, carol, "POST", `${C}/join/${encodeURIComponent(roomId)}`, {});
    await api(url, alice, "PUT", `${C}${room}/send/m.room.message/t1`, { msgtype: "m.text", body: "hello" });
    const carolToken = String((await api<JsonObject>(url, carol, "GET", `${C}/sync?timeout=0`))["next_batch"]);
    const leaveIds = (sync: JsonObject): string[] => {
      const left = ((sync["rooms"] as JsonObject)["leave"] as Record<string, JsonObject | undefined>)[roomId];
      return ((left?.["timeline"] as JsonObject | undefined)?.["events"] as JsonObject[] | undefined ?? []).map((e) => String(e["event_id"]));
    };
    // Bob's leave, in a group whose COMMIT fails; meanwhile a reader takes the delta up to the
    // leave's position (/sync no longer does, memberships-up-to.ts: the cache is kept exact on
    // its own). Same key as Carol's leave section below: (room, her token, the position, limit 20)
    const since = parseSyncToken(carolToken).events;
    const joinId = (await s.stores.rooms.currentStateId(roomId, "m.room.member", bob.userId)) ?? "";
    const join = (await s.stores.events.getEvent(joinId))?.event.pdu;
    assert.ok(join);
    const phantom: Pdu = { ...join, content: { membership: "leave" }, prev_events: await s.stores.events.forwardExtremities(roomId) } as Pdu;
    await inAFailingGroup(s, roomId, "$phantom-leave", phantom, async () => {
      const upTo = await s.stores.events.maxStream();
      const delta = await incrementalRoomDelta(s.stores.events, { roomId, since, upTo, limit: 20 });
      assert.ok(delta.rows.some((r) => r.event.eventId === "$phantom-leave"), "the delta read in the open group holds the leave");
    });
    // Carol's real leave takes the freed position
    const carolLeave = String((await api<JsonObject>(url, carol, "POST", `${C}${room}/leave`, {}))["event_id"] ?? "");
    const carolSync = await api<JsonObject>(url, carol, "GET", `${C}/sync?timeout=0&since=${encodeURIComponent(carolToken)}`);
    const shown = leaveIds(carolSync);
    assert.ok(!shown.includes("$phantom-leave"), `Carol's leave section shows an event whose COMMIT failed: ${shown.join(", ")}`);
    const ownLeave = (await s.stores.rooms.currentStateId(roomId, "m.room.member", carol.userId)) ?? carolLeave;
    assert.ok(shown.includes(ownLeave), `Carol's leave section lacks her leave ${ownLeave}: ${shown.join(", ")}`);
  });

  /** Stores `pdu` in a body that fails after `meanwhile` ran (rolled back to its savepoint alone). */
  async function inAFailingBody<T>(s: Context, roomId: string, eventId: string, pdu: Pdu, meanwhile: () => Promise<T>): Promise<T> {
    const stateGroup = (await s.stores.rooms.getRoom(roomId))?.currentStateGroup;
    let result!: T;
    await assert.rejects(s.db.transaction(async (tx) => {
      await s.stores.events.persist(tx, { event: { eventId, pdu }, roomId, stateGroupBefore: stateGroup });
      result = await meanwhile();
      throw new Error("the body fails: rolled back");
    }), /rolled back/);
    return result;
  }

  for (const [how, failing] of [["COMMIT", inAFailingGroup], ["body", inAFailingBody]] as const) it(`the state of a group read before the failed ${how} is not served for the group that takes its id`, async () => {
    const { s, url } = await start();
    const alice = await registerUser(url, how === "COMMIT" ? "dora" : "dora2");
    const C = "/_matrix/client/v3";
    const roomId = String((await api<JsonObject>(url, alice, "POST", `${C}/createRoom`, {}))["room_id"]);
    const room = `/rooms/${encodeURIComponent(roomId)}`;
    const create = (await s.stores.events.getEvent((await s.stores.rooms.currentStateId(roomId, "m.room.create", "")) ?? ""))?.event.pdu;
    assert.ok(create);
    const phantom = { ...create, type: "m.room.topic", state_key: "", sender: alice.userId, content: { topic: "never committed" }, prev_events: await s.stores.events.forwardExtremities(roomId) } as Pdu;
    // meanwhile the room writer's build of a next event would read the open group's state
    await failing(s, roomId, "$phantom-topic", phantom, async () => {
      const group = (await s.stores.rooms.getRoom(roomId))?.currentStateGroup;
      assert.ok(group !== undefined);
      return s.stores.events.stateMapOfGroup(group);
    });
    await api(url, alice, "PUT", `${C}${room}/state/m.room.topic/`, { topic: "real" });
    await api(url, alice, "PUT", `${C}${room}/send/m.room.message/t1`, { msgtype: "m.text", body: "after" });
    // an initial /sync with one timeline event: the state before it is the topic's group
    const filter = encodeURIComponent(JSON.stringify({ room: { timeline: { limit: 1 } } }));
    const sync = await api<JsonObject>(url, alice, "GET", `${C}/sync?timeout=0&filter=${filter}`);
    const state = ((((sync["rooms"] as JsonObject)["join"] as Record<string, JsonObject>)[roomId]?.["state"] as JsonObject | undefined)?.["events"] as JsonObject[] | undefined) ?? [];
    const topic = state.find((e) => e["type"] === "m.room.topic");
    assert.equal((topic?.["content"] as JsonObject | undefined)?.["topic"], "real", `the room's state: ${state.map((e) => String(e["type"])).join(", ")}`);
  });

  it("GET /state serialised during the failed COMMIT is not served for the group that takes its id", async () => {
    const { s, url } = await start();
    const alice = await registerUser(url, "erin");
    const C = "/_matrix/client/v3";
    const roomId = String((await api<JsonObject>(url, alice, "POST", `${C}/createRoom`, {}))["room_id"]);
    const room = `/rooms/${encodeURIComponent(roomId)}`;
    const create = (await s.stores.events.getEvent((await s.stores.rooms.currentStateId(roomId, "m.room.create", "")) ?? ""))?.event.pdu;
    assert.ok(create);
    const phantom = { ...create, type: "m.room.topic", state_key: "", sender: alice.userId, content: { topic: "never committed" }, prev_events: await s.stores.events.forwardExtremities(roomId) } as Pdu;
    // meanwhile the state handler serialises the open group's state (its room row is read through
    // the writer's connection), as GET /state does
    const openGroup = await inAFailingGroup(s, roomId, "$phantom-topic-2", phantom, async () => {
      const row = await s.stores.rooms.getRoom(roomId);
      assert.ok(row?.currentStateGroup !== undefined);
      const ids = [...(await s.stores.events.stateMapOfGroup(row.currentStateGroup)).values()];
      assert.ok(ids.includes("$phantom-topic-2"), "the open group's state holds the phantom topic");
      for await (const slice of s.heavyReads.state.slices(row.currentStateGroup, ids, getRoomVersion(row.version) ?? assert.fail("unknown room version"), () => Date.now())) assert.ok(slice.length > 0);
      return row.currentStateGroup;
    });
    await api(url, alice, "PUT", `${C}${room}/state/m.room.topic/`, { topic: "real" });
    const realGroup = (await s.stores.rooms.getRoom(roomId))?.currentStateGroup;
    assert.equal(realGroup, openGroup, "the real topic's group takes the rolled-back group's id (else this test shows nothing)");
    const state = await api<JsonObject[]>(url, alice, "GET", `${C}${room}/state`);
    const topic = state.find((e) => e["type"] === "m.room.topic");
    assert.equal((topic?.["content"] as JsonObject | undefined)?.["topic"], "real", `GET /state answered: ${JSON.stringify(topic)}`);
  });

  it("the push evaluation's room facts read during the failed COMMIT are not used for the group that takes its id", async () => {
    const { s, url } = await start();
    const [alice, bob] = [await registerUser(url, "fay"), await registerUser(url, "gus")];
    const C = "/_matrix/client/v3";
    const roomId = String((await api<JsonObject>(url, alice, "POST", `${C}/createRoom`, { preset: "public_chat" }))["room_id"]);
    const room = `/rooms/${encodeURIComponent(roomId)}`;
    const create = (await s.stores.events.getEvent((await s.stores.rooms.currentStateId(roomId, "m.room.create", "")) ?? ""))?.event.pdu;
    assert.ok(create);
    const phantom = { ...create, type: "m.room.topic", state_key: "", sender: alice.userId, content: { topic: "never committed" }, prev_events: await s.stores.events.forwardExtremities(roomId) } as Pdu;
    // meanwhile the push evaluation reads the room's facts (members: Alice alone) at the open group
    const processor = (s.push as unknown as { processor: { roomState(roomId: string, atGroup: number | undefined): Promise<{ joined: string[] }> } }).processor;
    const openGroup = await inAFailingGroup(s, roomId, "$phantom-topic-3", phantom, async () => {
      const group = (await s.stores.rooms.getRoom(roomId))?.currentStateGroup;
      assert.deepEqual((await processor.roomState(roomId, group)).joined, [alice.userId]);
      return group;
    });
    // Bob's join takes the rolled-back group's id; Alice's message must then notify him
    await api(url, bob, "POST", `${C}/join/${encodeURIComponent(roomId)}`, {});
    assert.equal((await s.stores.rooms.getRoom(roomId))?.currentStateGroup, openGroup, "Bob's join takes the rolled-back group's id (else this test shows nothing)");
    const since = String((await api<JsonObject>(url, bob, "GET", `${C}/sync?timeout=0`))["next_batch"]);
    const sent = String((await api<JsonObject>(url, alice, "PUT", `${C}${room}/send/m.room.message/t1`, { msgtype: "m.text", body: "bonjour Gus" }))["event_id"]);
    const joined = async (token: string): Promise<JsonObject> => {
      const sync = await api<JsonObject>(url, bob, "GET", `${C}/sync?timeout=10000&since=${encodeURIComponent(token)}`);
      const r = ((sync["rooms"] as JsonObject | undefined)?.["join"] as Record<string, JsonObject> | undefined)?.[roomId];
      const events = ((r?.["timeline"] as JsonObject | undefined)?.["events"] as JsonObject[] | undefined) ?? [];
      return events.some((e) => e["event_id"] === sent) ? r ?? {} : joined(String(sync["next_batch"]));
    };
    const counts = (await joined(since))["unread_notifications"] as JsonObject | undefined;
    assert.equal(counts?.["notification_count"], 1, `Bob's unread notifications: ${JSON.stringify(counts)}`);
  });
});
