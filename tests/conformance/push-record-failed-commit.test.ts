// SQLite: the push evaluation of an event starts once it ran in the open group (onExecuted), before
// its COMMIT, and the /sync it wakes may count it from memory. When that group then fails at COMMIT,
// nothing of that evaluation may be recorded: the event's position is freed and the next event
// takes it, and must be evaluated for itself (a stale record would carry the rolled-back event's
// highlight into the new one's row, and its cursor would skip the new one). Today the record joins
// the event's group and fails with it; session "sqlite" tried recording in the group after
// (docs/perf/README.md), where this test failed without a rollback check. Real homeserver; the
// COMMIT fails by a deferred foreign key.
import assert from "node:assert/strict";
import type { JsonObject, Pdu } from "../../homeserver/src/room/pdu.ts";
import { registerUser, startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";
import { call as api, enc, type Session } from "../harness/client-api.ts";
import { prepareFailingCommit, stagePoisonBody } from "../harness/failing-group.ts";

const C = "/_matrix/client/v3";

describe("push record of an event whose group fails at COMMIT (SQLite)", function () {
  this.timeout(60_000);
  let server: TestHomeserver;
  let alice: Session;
  let bob: Session;
  let roomId: string;
  before(async () => {
    server = await startTestHomeserver();
    alice = await registerUser(server.url, "alice");
    bob = await registerUser(server.url, "bob");
    roomId = String((await api<JsonObject>(server.url, alice, "POST", `${C}/createRoom`, { preset: "public_chat" }))["room_id"]);
    await api(server.url, bob, "POST", `${C}/join/${enc(roomId)}`, {});
    await api(server.url, bob, "GET", `${C}/notifications`);
  });
  after(() => server?.stop());

  const unread = async (): Promise<unknown> =>
    (await api<{ rooms: { join: Record<string, { unread_notifications: unknown }> } }>(server.url, bob, "GET", `${C}/sync?timeout=0`)).rooms.join[roomId]?.unread_notifications;
  const notified = async (): Promise<{ id: string; highlight: boolean }[]> =>
    ((await api<JsonObject>(server.url, bob, "GET", `${C}/notifications`))["notifications"] as JsonObject[])
      .map((n) => ({ id: String((n["event"] as JsonObject)["event_id"]), highlight: (n["actions"] as unknown[]).some((a) => (a as JsonObject)["set_tweak"] === "highlight") }));

  it("records nothing of an evaluation whose event's group then failed at COMMIT", async () => {
    const s = server.hs.context;
    await prepareFailingCommit(s.db);
    const { event_id: last } = await api<{ event_id: string }>(server.url, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/first`, { msgtype: "m.text", body: "un" });
    assert.deepEqual((await notified()).map((n) => n.id), [last]);
    const template = (await s.stores.events.getEvent(last))?.event.pdu;
    assert.ok(template);
    const room = await s.stores.rooms.getRoom(roomId);
    // Alice's message naming Bob (a highlight for him), stored in a group that a poison body fails
    const pdu = { ...template, content: { msgtype: "m.text", body: "bob, never sent" } } as Pdu;
    assert.ok(s.db.stage);
    const stored = s.db.stage((tx) => s.stores.events.persist(tx, { event: { eventId: "$never-sent", pdu }, roomId, stateGroupBefore: room?.currentStateGroup, builtOnCurrent: true }));
    const poison = stagePoisonBody(s.db);
    const { stream } = await stored.executed;
    // as LocalEvents.onExecuted: evaluated now, in the open group; /sync may count it from memory
    void s.push.eventPersisted(stream);
    await poison.held;
    const during = await s.push.syncUnread(bob.userId, roomId, stream, false);
    assert.deepEqual(during["unread_notifications"], { notification_count: 2, highlight_count: 1 }, "evaluated before the COMMIT");
    poison.release();
    await assert.rejects(stored.committed, /FOREIGN KEY/);
    await assert.rejects(poison.committed, /FOREIGN KEY/);

    const { event_id: next } = await api<{ event_id: string }>(server.url, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/after`, { msgtype: "m.text", body: "deux" });
    assert.equal((await s.stores.events.getEvent(next))?.stream, stream, "the next message took the freed position");
    const list = await notified();
    assert.deepEqual(list.map((n) => n.id), [next, last], "the new message notified once, nothing of the rolled-back one");
    assert.ok(list.every((n) => !n.highlight), `no highlight carried over: ${JSON.stringify(list)}`);
    assert.deepEqual(await unread(), { notification_count: 2, highlight_count: 0 });
  });
});
