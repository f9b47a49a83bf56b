// SQLite: /sync keeps the user's memberships, ignored users and one-time key counts while their
// database positions stay (server/sync/kept-at-position.ts), as PostgreSQL does, but only with
// positions read while no write group was open, keyed with the rollback count and data_version:
// reads share the writer's connection, and a group whose COMMIT fails frees its positions for the
// next writes. Real homeserver and SQLite; a failing group from tests/harness/failing-group.ts.
import assert from "node:assert/strict";
import type { JsonObject, Pdu } from "../../homeserver/src/room/pdu.ts";
import { registerUser, startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";
import { call as api, enc } from "../harness/client-api.ts";
import { prepareFailingCommit, stagePoisonBody } from "../harness/failing-group.ts";

const C = "/_matrix/client/v3";
type Context = TestHomeserver["hs"]["context"];

/** Counts the three kept reads of /sync on this homeserver's stores. */
function countReads(s: Context): { memberships: number; ignored: number; keys: number } {
  const n = { memberships: 0, ignored: 0, keys: 0 };
  const rooms = s.stores.rooms;
  const roomsForUser = rooms.roomsForUser.bind(rooms);
  rooms.roomsForUser = (userId) => (n.memberships++, roomsForUser(userId));
  const streams = s.stores.streams;
  const getAccountData = streams.getAccountData.bind(streams);
  streams.getAccountData = (userId, roomId, type) => (type === "m.ignored_user_list" && n.ignored++, getAccountData(userId, roomId, type));
  const store = s.e2ee.store;
  const keysForSync = store.keysForSync.bind(store);
  store.keysForSync = (userId, deviceId) => (n.keys++, keysForSync(userId, deviceId));
  return n;
}

const joinedTimeline = (sync: JsonObject, roomId: string): JsonObject[] =>
  ((((sync["rooms"] as JsonObject | undefined)?.["join"] as Record<string, JsonObject> | undefined)?.[roomId]?.["timeline"] as JsonObject | undefined)?.["events"] as JsonObject[] | undefined) ?? [];

describe("/sync's kept reads on SQLite", function () {
  this.timeout(60_000);
  let server: TestHomeserver | undefined;
  after(() => server?.stop());
  const start = async (): Promise<{ s: Context; url: string }> => {
    server ??= await startTestHomeserver();
    return { s: server.hs.context, url: server.url };
  };

  it("an incremental /sync after a message reads neither memberships, ignored users nor key counts; changes are seen", async () => {
    const { s, url } = await start();
    const [alice, bob] = [await registerUser(url, "anna"), await registerUser(url, "basile")];
    const roomId = String((await api<JsonObject>(url, alice, "POST", `${C}/createRoom`, { preset: "public_chat" }))["room_id"]);
    await api(url, bob, "POST", `${C}/join/${enc(roomId)}`, {});
    let token = String((await api<JsonObject>(url, bob, "GET", `${C}/sync?timeout=0`))["next_batch"]);
    const reads = countReads(s);
    const before = { ...reads };
    await api(url, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/k1`, { msgtype: "m.text", body: "un" });
    let sync = await api<JsonObject>(url, bob, "GET", `${C}/sync?timeout=0&since=${enc(token)}`);
    assert.equal(joinedTimeline(sync, roomId).length, 1);
    assert.deepEqual(reads, before, "the message moved none of their positions: kept");
    token = String(sync["next_batch"]);
    // Bob ignores Alice: the account-data position moves, her next message is hidden
    await api(url, bob, "PUT", `${C}/user/${enc(bob.userId)}/account_data/m.ignored_user_list`, { ignored_users: { [alice.userId]: {} } });
    sync = await api<JsonObject>(url, bob, "GET", `${C}/sync?timeout=0&since=${enc(token)}`);
    token = String(sync["next_batch"]);
    await api(url, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/k2`, { msgtype: "m.text", body: "deux" });
    sync = await api<JsonObject>(url, bob, "GET", `${C}/sync?timeout=0&since=${enc(token)}`);
    assert.deepEqual(joinedTimeline(sync, roomId), [], "Alice is ignored from the account-data change on");
    token = String(sync["next_batch"]);
    // Bob joins another room: the membership position moves, the room appears
    const other = String((await api<JsonObject>(url, alice, "POST", `${C}/createRoom`, { preset: "public_chat" }))["room_id"]);
    await api(url, bob, "POST", `${C}/join/${enc(other)}`, {});
    sync = await api<JsonObject>(url, bob, "GET", `${C}/sync?timeout=0&since=${enc(token)}`);
    assert.ok(Object.hasOwn((sync["rooms"] as JsonObject)["join"] as JsonObject, other), "the new room is in join");
  });

  it("the members woken by one message share one read of the rooms with events since their token", async () => {
    const { s, url } = await start();
    const [alice, bob, carol] = [await registerUser(url, "emile"), await registerUser(url, "fanny"), await registerUser(url, "gaston")];
    const roomId = String((await api<JsonObject>(url, alice, "POST", `${C}/createRoom`, { preset: "public_chat" }))["room_id"]);
    await api(url, bob, "POST", `${C}/join/${enc(roomId)}`, {});
    await api(url, carol, "POST", `${C}/join/${enc(roomId)}`, {});
    await api(url, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/r0`, { msgtype: "m.text", body: "zéro" });
    // both at the same position: each one's token after an initial /sync
    const tokens = [String((await api<JsonObject>(url, bob, "GET", `${C}/sync?timeout=0`))["next_batch"]), String((await api<JsonObject>(url, carol, "GET", `${C}/sync?timeout=0`))["next_batch"])];
    assert.equal(tokens[0], tokens[1]);
    const events = s.stores.events;
    const roomsWithEvents = events.roomsWithEvents.bind(events);
    let reads = 0;
    events.roomsWithEvents = (after, upTo) => (reads++, roomsWithEvents(after, upTo));
    await api(url, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/r1`, { msgtype: "m.text", body: "un" });
    for (const [i, user] of [bob, carol].entries()) {
      const sync = await api<JsonObject>(url, user, "GET", `${C}/sync?timeout=0&since=${enc(tokens[i]!)}`);
      assert.equal(joinedTimeline(sync, roomId).length, 1);
    }
    events.roomsWithEvents = roomsWithEvents;
    // none when the events since the token come with the positions (server/sync/event-range.ts)
    assert.ok(reads <= 1, "one read for both");
  });

  it("memberships read in a group whose COMMIT then failed are not served at the position the next write takes", async () => {
    const { s, url } = await start();
    await prepareFailingCommit(s.db);
    const [alice, bob] = [await registerUser(url, "celine"), await registerUser(url, "denis")];
    const roomId = String((await api<JsonObject>(url, alice, "POST", `${C}/createRoom`, { preset: "public_chat" }))["room_id"]);
    await api(url, bob, "POST", `${C}/join/${enc(roomId)}`, {});
    const token = String((await api<JsonObject>(url, bob, "GET", `${C}/sync?timeout=0`))["next_batch"]);
    // Bob's leave, in a group whose COMMIT fails; meanwhile Bob's /sync reads his memberships
    // (the leave, at the position the rolled-back write frees)
    const joinId = (await s.stores.rooms.currentStateId(roomId, "m.room.member", bob.userId)) ?? "";
    const join = (await s.stores.events.getEvent(joinId))?.event.pdu;
    assert.ok(join && s.db.stage);
    const phantom = { ...join, content: { membership: "leave" }, prev_events: await s.stores.events.forwardExtremities(roomId) } as Pdu;
    const stateGroup = (await s.stores.rooms.getRoom(roomId))?.currentStateGroup;
    const stored = s.db.stage((tx) => s.stores.events.persist(tx, { event: { eventId: "$phantom-leave-kept", pdu: phantom }, roomId, stateGroupBefore: stateGroup }));
    const poison = stagePoisonBody(s.db);
    await stored.executed;
    await poison.held;
    assert.equal((await s.stores.rooms.roomsForUser(bob.userId)).find((m) => m.roomId === roomId)?.membership, "leave", "the open group holds the leave");
    // the /sync waits for the group (its unread counts wait for the evaluation, whose record joins
    // it): released once it has read the memberships
    const rooms = s.stores.rooms;
    const roomsForUser = rooms.roomsForUser.bind(rooms);
    let onRead!: () => void;
    const read = new Promise<void>((r) => { onRead = r; });
    rooms.roomsForUser = async (userId) => {
      const r = await roomsForUser(userId);
      if (userId === bob.userId) onRead();
      return r;
    };
    const during = api(url, bob, "GET", `${C}/sync?timeout=0&since=${enc(token)}`);
    await read;
    rooms.roomsForUser = roomsForUser;
    poison.release();
    await during.catch(() => undefined);
    await assert.rejects(stored.committed, /FOREIGN KEY/);
    await assert.rejects(poison.committed, /FOREIGN KEY/);
    // Bob's display name in the room: a membership row changed (same count), at the freed position
    const freed = (await s.stores.events.maxStream()) + 1;
    await api(url, bob, "PUT", `${C}/rooms/${enc(roomId)}/state/m.room.member/${enc(bob.userId)}`, { membership: "join", displayname: "Denis D." });
    const own = (await s.stores.rooms.roomsForUser(bob.userId)).find((m) => m.roomId === roomId);
    assert.equal(own?.stream, freed, "the display name takes the rolled-back leave's position (else this test shows nothing)");
    const sync = await api<JsonObject>(url, bob, "GET", `${C}/sync?timeout=0&since=${enc(token)}`);
    const sections = sync["rooms"] as JsonObject;
    assert.ok(Object.hasOwn(sections["join"] as JsonObject, roomId), `Bob is joined: ${JSON.stringify(sections)}`);
    assert.ok(!Object.hasOwn(sections["leave"] as JsonObject, roomId), "no phantom leave");
  });
});
