// GET /notifications (spec v1.16): what notified the user, newest first, with read flags,
// only=highlight, from/limit pagination; a room muted with Element's "mentions and keywords"
// (a room rule with dont_notify) counts nothing.
import assert from "node:assert/strict";
import { startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";
import { aliceAndBobInPublicRoom } from "../harness/public-room.ts";
import { ApiError, call, enc, type Session } from "../harness/client-api.ts";
import { requirePostgres } from "../harness/postgres.ts";

const C = "/_matrix/client/v3";
type Notification = { actions: unknown[]; event: { event_id: string; room_id: string; content: { body?: string } }; read: boolean; room_id: string; ts: number };
type Page = { notifications: Notification[]; next_token?: string };

for (const db of ["sqlite", "postgres"] as const) describe(`GET /notifications (${db})`, function () {
  this.timeout(60_000);
  let server: TestHomeserver;
  let alice: Session, bob: Session;
  let roomId: string;
  const ids: string[] = [];

  before(async function () {
    if (db === "postgres") await requirePostgres(this);
    server = await startTestHomeserver({ db });
    ({ alice, bob, roomId } = await aliceAndBobInPublicRoom(server.url));
    for (const content of [{ body: "un" }, { body: "deux", "m.mentions": { user_ids: [alice.userId] } }, { body: "trois" }, { body: "quatre alice" }, { body: "cinq" }]) {
      ids.push((await call<{ event_id: string }>(server.url, bob, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/${ids.length}`, { msgtype: "m.text", ...content })).event_id);
    }
    await call(server.url, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/own`, { msgtype: "m.text", body: "moi" });
  });
  after(() => server?.stop());

  const get = (query: string): Promise<Page> => call<Page>(server.url, alice, "GET", `${C}/notifications${query}`);

  it("lists the notifying events newest first, pages with from/limit, filters highlights", async () => {
    const all = await get("");
    assert.deepEqual(all.notifications.map((n) => n.event.event_id), [...ids].reverse(), "not alice's own message");
    assert.equal(all.next_token, undefined);
    assert.ok(all.notifications.every((n) => n.room_id === roomId && !n.read && n.ts > 0));
    assert.deepEqual(all.notifications[1]?.actions, ["notify", { set_tweak: "sound", value: "default" }, { set_tweak: "highlight" }]);
    const first = await get("?limit=2");
    assert.deepEqual(first.notifications.map((n) => n.event.content.body), ["cinq", "quatre alice"]);
    assert.ok(first.next_token);
    const second = await get(`?limit=2&from=${enc(first.next_token ?? "")}`);
    assert.deepEqual(second.notifications.map((n) => n.event.content.body), ["trois", "deux"]);
    const third = await get(`?limit=2&from=${enc(second.next_token ?? "")}`);
    assert.deepEqual(third.notifications.map((n) => n.event.content.body), ["un"]);
    assert.equal(third.next_token, undefined);
    assert.deepEqual((await get("?only=highlight")).notifications.map((n) => n.event.content.body), ["quatre alice", "deux"]);
  });

  it("marks what the read receipt covers as read", async () => {
    await call(server.url, alice, "POST", `${C}/rooms/${enc(roomId)}/receipt/m.read/${enc(ids[2] ?? "")}`, {});
    assert.deepEqual((await get("")).notifications.map((n) => n.read), [false, false, true, true, true]);
  });

  it("refuses a bad from or only", async () => {
    for (const q of ["?from=abc", "?only=everything", "?limit=x"]) {
      await assert.rejects(get(q), (e: unknown) => e instanceof ApiError && e.status === 400 && e.body["errcode"] === "M_INVALID_PARAM", q);
    }
  });

  it("a room set to mentions and keywords only (room rule, dont_notify) counts no plain message", async () => {
    await call(server.url, alice, "PUT", `${C}/pushrules/global/room/${enc(roomId)}`, { actions: ["dont_notify"] });
    const plain = (await call<{ event_id: string }>(server.url, bob, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/m1`, { msgtype: "m.text", body: "six" })).event_id;
    const mention = (await call<{ event_id: string }>(server.url, bob, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/m2`, { msgtype: "m.text", body: "sept", "m.mentions": { user_ids: [alice.userId] } })).event_id;
    await call(server.url, alice, "POST", `${C}/rooms/${enc(roomId)}/receipt/m.read/${enc(ids[4] ?? "")}`, {});
    const sync = await call<{ rooms: { join: Record<string, { unread_notifications: unknown }> } }>(server.url, alice, "GET", `${C}/sync?timeout=0`);
    assert.deepEqual(sync.rooms.join[roomId]?.unread_notifications, { notification_count: 1, highlight_count: 1 });
    const listed = (await get("?limit=2")).notifications.map((n) => n.event.event_id);
    assert.deepEqual(listed, [mention, ids[4]]);
    assert.ok(!listed.includes(plain));
  });

  it("merges rooms newest first across pages (SQLite reads its push actions room by room)", async () => {
    const rooms: string[] = [];
    for (const name of ["r2", "r3"]) {
      const id = (await call<{ room_id: string }>(server.url, bob, "POST", `${C}/createRoom`, { preset: "public_chat", name })).room_id;
      await call(server.url, alice, "POST", `${C}/join/${enc(id)}`, {});
      rooms.push(id);
    }
    const bodies = ["r2-a", "r3-a", "r3-b", "r2-b", "r3-c"];
    for (const [i, body] of bodies.entries()) {
      await call(server.url, bob, "PUT", `${C}/rooms/${enc(rooms[body.startsWith("r2") ? 0 : 1] ?? "")}/send/m.room.message/x${i}`, { msgtype: "m.text", body });
    }
    const first = await get("?limit=3");
    assert.deepEqual(first.notifications.map((n) => n.event.content.body), ["r3-c", "r2-b", "r3-b"]);
    const second = await get(`?limit=3&from=${enc(first.next_token ?? "")}`);
    assert.deepEqual(second.notifications.slice(0, 2).map((n) => n.event.content.body), ["r3-a", "r2-a"]);
    assert.deepEqual(second.notifications[2]?.room_id, roomId, "then the first room's");
  });
});
