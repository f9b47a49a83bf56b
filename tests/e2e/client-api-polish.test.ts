// Room upgrades, profile propagation into member events, deactivation leaving rooms, and
// highlight counts, against a real homeserver on SQLite and on PostgreSQL.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#server-behaviour-19 (room upgrades)
import assert from "node:assert/strict";
import { registerUser, startTestHomeserver, waitFor, type DbKind, type TestHomeserver } from "../harness/homeserver.ts";
import { requirePostgres } from "../harness/postgres.ts";
import { ApiError, SyncFollower, call, enc, type Session } from "../harness/client-api.ts";

const C = "/_matrix/client/v3";
type Json = Record<string, unknown>;
interface StateEvent { type: string; state_key: string; sender: string; event_id: string; room_id: string; content: Json }

for (const db of ["sqlite", "postgres"] as DbKind[]) describe(`client API polish (${db})`, function () {
  this.timeout(120_000);
  let server: TestHomeserver;
  let alice: Session;
  let bob: Session;
  let carol: Session;
  let dave: Session;
  const api = <T = Json>(s: Session | undefined, method: string, path: string, body?: unknown): Promise<T> => call<T>(server.url, s, method, C + path, body);
  const roomState = (s: Session, roomId: string): Promise<StateEvent[]> => api<StateEvent[]>(s, "GET", `/rooms/${enc(roomId)}/state`);
  const stateOf = async (s: Session, roomId: string, type: string, key = ""): Promise<StateEvent | undefined> =>
    (await roomState(s, roomId)).find((e) => e.type === type && e.state_key === key);
  const createRoom = async (s: Session, body: Json): Promise<string> => (await api<{ room_id: string }>(s, "POST", "/createRoom", body)).room_id;
  const join = (s: Session, roomId: string): Promise<Json> => api(s, "POST", `/join/${enc(roomId)}`, {});
  const invite = (s: Session, roomId: string, userId: string): Promise<Json> => api(s, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: userId });
  const say = async (s: Session, roomId: string, content: Json): Promise<string> =>
    (await api<{ event_id: string }>(s, "PUT", `/rooms/${enc(roomId)}/send/m.room.message/${Math.random().toString(36).slice(2)}`, content)).event_id;
  const rejects = (p: Promise<unknown>, status: number, errcode: string): Promise<void> =>
    assert.rejects(p, (e: unknown) => e instanceof ApiError && e.status === status && e.body["errcode"] === errcode);

  before(async function () {
    if (db === "postgres") await requirePostgres(this);
    server = await startTestHomeserver({ db });
    alice = await registerUser(server.url, "alice");
    bob = await registerUser(server.url, "bob");
    carol = await registerUser(server.url, "carol");
    dave = await registerUser(server.url, "dave");
  });
  after(async () => server?.stop());

  describe("room upgrade", () => {
    let oldRoom: string;
    let newRoom: string;

    before(async () => {
      oldRoom = await createRoom(alice, {
        room_version: "11", preset: "public_chat", visibility: "public", name: "Conseil municipal", topic: "Séances publiques",
        room_alias_name: "conseil", power_level_content_override: { users: { [alice.userId]: 100, [bob.userId]: 50 }, events: { "m.room.tombstone": 100 } },
      });
      await join(bob, oldRoom);
      await join(carol, oldRoom);
      await join(dave, oldRoom);
      await api(alice, "POST", `/rooms/${enc(oldRoom)}/ban`, { user_id: carol.userId, reason: "spam" });
      await say(alice, oldRoom, { msgtype: "m.text", body: "dernier message" });
    });

    it("refuses a member without the power to send a tombstone, and an unknown version", async () => {
      await rejects(api(bob, "POST", `/rooms/${enc(oldRoom)}/upgrade`, { new_version: "12" }), 403, "M_FORBIDDEN");
      await rejects(api(alice, "POST", `/rooms/${enc(oldRoom)}/upgrade`, { new_version: "999" }), 400, "M_UNSUPPORTED_ROOM_VERSION");
      await rejects(api(alice, "POST", `/rooms/${enc(oldRoom)}/upgrade`, {}), 400, "M_BAD_JSON");
      assert.equal(await stateOf(alice, oldRoom, "m.room.tombstone"), undefined, "nothing happened");
    });

    it("upgrades v11 to v12: new room, tombstone, predecessor, copied state", async () => {
      const lastBefore = (await api<{ chunk: { event_id: string }[] }>(alice, "GET", `/rooms/${enc(oldRoom)}/messages?dir=b&limit=1`)).chunk[0]?.event_id;
      ({ replacement_room: newRoom } = await api<{ replacement_room: string }>(alice, "POST", `/rooms/${enc(oldRoom)}/upgrade`, { new_version: "12" }));
      assert.match(newRoom, /^![A-Za-z0-9_-]{43}$/, "a v12 room id is the create event's hash");
      const tombstone = await stateOf(alice, oldRoom, "m.room.tombstone");
      assert.equal(tombstone?.content["replacement_room"], newRoom);
      assert.equal(tombstone?.sender, alice.userId);

      const state = await roomState(alice, newRoom);
      const get = (type: string, key = ""): StateEvent | undefined => state.find((e) => e.type === type && e.state_key === key);
      const create = get("m.room.create");
      assert.equal(create?.sender, alice.userId);
      assert.equal(create?.content["room_version"], "12");
      assert.equal(create?.content["creator"], undefined);
      assert.equal(create?.content["type"], undefined, "no type on the old room, none on the new one");
      assert.deepEqual(create?.content["predecessor"], { room_id: oldRoom, event_id: lastBefore });
      assert.equal(get("m.room.name")?.content["name"], "Conseil municipal");
      assert.equal(get("m.room.topic")?.content["topic"], "Séances publiques");
      assert.equal(get("m.room.join_rules")?.content["join_rule"], "public");
      assert.equal(get("m.room.history_visibility")?.content["history_visibility"], "shared");
      const pl = get("m.room.power_levels")?.content;
      assert.deepEqual(pl?.["users"], { [bob.userId]: 50 }, "a v12 creator has infinite power and may not be listed");
      assert.equal((pl?.["events"] as Json)["m.room.tombstone"], 100);
      assert.equal(get("m.room.member", alice.userId)?.content["membership"], "join");
      assert.equal(get("m.room.member", bob.userId), undefined, "members are not moved (spec: servers cannot impersonate)");
      assert.equal(get("m.room.member", carol.userId)?.content["membership"], "ban", "bans are copied");
    });

    it("moves the local aliases and the directory listing, and locks the old room", async () => {
      const alias = "#conseil:test.local";
      assert.equal((await api(bob, "GET", `/directory/room/${enc(alias)}`))["room_id"], newRoom);
      assert.equal((await stateOf(alice, newRoom, "m.room.canonical_alias"))?.content["alias"], alias);
      assert.equal((await stateOf(alice, oldRoom, "m.room.canonical_alias"))?.content["alias"], undefined);
      assert.equal((await api(bob, "GET", `/directory/list/room/${enc(newRoom)}`))["visibility"], "public");
      assert.equal((await api(bob, "GET", `/directory/list/room/${enc(oldRoom)}`))["visibility"], "private");
      const oldPl = (await stateOf(alice, oldRoom, "m.room.power_levels"))?.content;
      assert.equal(oldPl?.["events_default"], 50);
      assert.equal(oldPl?.["invite"], 50);
      await rejects(say(dave, oldRoom, { msgtype: "m.text", body: "plus" }), 403, "M_FORBIDDEN");
      await join(bob, newRoom);
      await say(bob, newRoom, { msgtype: "m.text", body: "bonjour dans la nouvelle salle" });
    });

    it("upgrades v12 to v12 with additional creators and keeps the room type", async () => {
      const space = await createRoom(alice, { room_version: "12", preset: "private_chat", creation_content: { type: "m.space" }, invite: [bob.userId] });
      await join(bob, space);
      const { replacement_room: next } = await api<{ replacement_room: string }>(alice, "POST", `/rooms/${enc(space)}/upgrade`, { new_version: "12", additional_creators: [bob.userId] });
      const create = await stateOf(alice, next, "m.room.create");
      assert.equal(create?.content["type"], "m.space");
      assert.deepEqual(create?.content["additional_creators"], [bob.userId]);
      assert.equal((create?.content["predecessor"] as Json)["room_id"], space);
      assert.deepEqual((await stateOf(alice, next, "m.room.power_levels"))?.content["users"], {});
      assert.equal((await stateOf(alice, next, "m.room.join_rules"))?.content["join_rule"], "invite");
    });
  });

  describe("profile propagation", () => {
    it("sends a new display name and avatar into every room the user is joined to", async () => {
      const shared = await createRoom(alice, { preset: "public_chat", name: "Voirie" });
      await join(bob, shared);
      const invitedOnly = await createRoom(alice, { preset: "private_chat" });
      await invite(alice, invitedOnly, bob.userId);
      const left = await createRoom(alice, { preset: "public_chat" });
      await join(bob, left);
      await api(bob, "POST", `/rooms/${enc(left)}/leave`, {});
      const follower = new SyncFollower(server.url, alice);
      await follower.poll();

      await api(bob, "PUT", `/profile/${enc(bob.userId)}/displayname`, { displayname: "Robert Dupont" });
      const seen = await waitFor("bob's new member event in alice's sync", async () => {
        await follower.poll(1000);
        return follower.timeline.get(shared)?.find((e) => e.type === "m.room.member" && e.state_key === bob.userId && e.content["displayname"] === "Robert Dupont");
      });
      assert.equal(seen.sender, bob.userId);
      assert.equal(seen.content["membership"], "join");
      const members = await api<{ chunk: StateEvent[] }>(alice, "GET", `/rooms/${enc(shared)}/members`);
      assert.equal(members.chunk.find((e) => e.state_key === bob.userId)?.content["displayname"], "Robert Dupont");

      await api(bob, "PUT", `/profile/${enc(bob.userId)}/avatar_url`, { avatar_url: "mxc://test.local/portrait" });
      assert.deepEqual((await stateOf(alice, shared, "m.room.member", bob.userId))?.content,
        { membership: "join", displayname: "Robert Dupont", avatar_url: "mxc://test.local/portrait" });
      await api(bob, "DELETE", `/profile/${enc(bob.userId)}/avatar_url`);
      assert.deepEqual((await stateOf(alice, shared, "m.room.member", bob.userId))?.content, { membership: "join", displayname: "Robert Dupont" });
      const invited = await stateOf(alice, invitedOnly, "m.room.member", bob.userId);
      assert.deepEqual([invited?.content["membership"], invited?.content["displayname"]], ["invite", "bob"], "an invite is not a join");
      assert.equal((await stateOf(alice, left, "m.room.member", bob.userId))?.content["membership"], "leave", "no re-join of a room left");
    });
  });

  describe("deactivation", () => {
    it("leaves every joined room and rejects pending invites", async () => {
      const erin = await registerUser(server.url, "erin");
      const joined = await createRoom(alice, { preset: "public_chat" });
      await join(erin, joined);
      const invited = await createRoom(alice, { preset: "private_chat", invite: [erin.userId] });
      const own = await createRoom(erin, { preset: "private_chat", invite: [alice.userId] });
      await join(alice, own);
      const session = await api(erin, "POST", "/account/deactivate", {}).then(
        () => assert.fail("UIA first"), (e: unknown) => (e instanceof ApiError && e.status === 401 ? e.body["session"] : assert.fail(String(e))));
      const auth = { type: "m.login.password", identifier: { type: "m.id.user", user: "erin" }, password: "correct horse battery staple", session };
      await api(erin, "POST", "/account/deactivate", { auth });
      await rejects(api(erin, "GET", "/account/whoami"), 401, "M_UNKNOWN_TOKEN");
      for (const roomId of [joined, invited, own]) {
        const member = await stateOf(alice, roomId, "m.room.member", erin.userId);
        assert.equal(member?.content["membership"], "leave", roomId);
        assert.equal(member?.sender, erin.userId);
      }
    });
  });

  describe("highlight_count", () => {
    const unread = async (s: Session, roomId: string): Promise<Json | undefined> =>
      (await api<{ rooms: { join: Record<string, { unread_notifications: Json }> } }>(s, "GET", "/sync?timeout=0")).rooms.join[roomId]?.unread_notifications;

    it("counts the unread messages that mention the user", async () => {
      // bob may notify the whole room (@room needs the notifications.room power level, 50)
      const room = await createRoom(alice, { preset: "public_chat", power_level_content_override: { users: { [bob.userId]: 50 } } });
      await join(bob, room);
      await api(alice, "PUT", `/profile/${enc(alice.userId)}/displayname`, { displayname: "Alice Martin" });
      const messages: [Json, boolean][] = [
        [{ body: "bonjour" }, false],
        [{ body: "hey alice, regarde" }, true],
        [{ body: "Alice Martin ?" }, true],
        [{ body: "malice" }, false],
        [{ body: "ping", "m.mentions": { user_ids: [alice.userId] } }, true],
        [{ body: "alice", "m.mentions": {} }, false],
        [{ body: "réunion", "m.mentions": { room: true } }, true],
        [{ body: "@room réunion" }, true],
      ];
      const ids: string[] = [];
      for (const [content] of messages) ids.push(await say(bob, room, { msgtype: "m.text", ...content }));
      assert.deepEqual(await unread(alice, room), { notification_count: 8, highlight_count: 5 });
      assert.deepEqual(await unread(bob, room), { notification_count: 0, highlight_count: 0 });
      await api(alice, "POST", `/rooms/${enc(room)}/receipt/m.read/${enc(ids[4] ?? "")}`, {});
      assert.deepEqual(await unread(alice, room), { notification_count: 3, highlight_count: 2 });
      await say(alice, room, { msgtype: "m.text", body: "bob ?" });
      assert.deepEqual(await unread(bob, room), { notification_count: 1, highlight_count: 1 });
    });

    it("counts mentions among any number of unread messages (push actions are recorded per event)", async () => {
      const room = await createRoom(alice, { preset: "public_chat" });
      await join(carol, room);
      await say(carol, room, { msgtype: "m.text", body: "alice, premier message" });
      for (let i = 0; i < 1000; i++) await say(carol, room, { msgtype: "m.text", body: `message ${i}` });
      assert.deepEqual(await unread(alice, room), { notification_count: 1001, highlight_count: 1 });
      await say(carol, room, { msgtype: "m.text", body: "alice, dernier message" });
      assert.deepEqual(await unread(alice, room), { notification_count: 1002, highlight_count: 2 });
    });
  });
});
