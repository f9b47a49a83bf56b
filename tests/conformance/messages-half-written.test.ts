// /messages while a write body is half done (SQLite: reads share the writer's connection) must
// neither show that body's events nor hand out a token past them: the body may still roll back,
// and its positions then go to the next events. Real homeserver, real code paths: a body stores a
// message and is held; GET /messages runs meanwhile; the body fails and rolls back; Alice's next
// message takes the freed position and must come in a forward page from the first page's `start`.
// The same for a body that ran to its end in a group whose COMMIT then failed (all of it undone),
// and for a forward page without `to` read in the tick between the body's events INSERT and
// persist reading its position back (review R4).
import assert from "node:assert/strict";
import type { JsonObject, Pdu } from "../../homeserver/src/room/pdu.ts";
import { registerUser, startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";
import { call as api } from "../harness/client-api.ts";
import { holdAfterStatement } from "../harness/held-statement.ts";
import { prepareFailingCommit, stagePoisonBody } from "../harness/failing-group.ts";

describe("/messages while a write body is half done (SQLite)", function () {
  this.timeout(60_000);
  let server: TestHomeserver | undefined;
  after(() => server?.stop());

  /** Alice's room with one message ("one"), and a PDU like it that a test body stores itself. */
  async function roomWithAMessage(name: string, body: string): Promise<{ s: TestHomeserver["hs"]["context"]; call: (method: string, path: string, b?: JsonObject) => Promise<JsonObject>; room: string; roomId: string; first: string; pdu: Pdu; stateGroup: number | undefined }> {
    server ??= await startTestHomeserver();
    const { url } = server;
    const s = server.hs.context;
    const alice = await registerUser(url, name);
    const call = (method: string, path: string, b?: JsonObject): Promise<JsonObject> => api<JsonObject>(url, alice, method, `/_matrix/client/v3${path}`, b);
    const roomId = String((await call("POST", "/createRoom", {}))["room_id"]);
    const room = `/rooms/${encodeURIComponent(roomId)}`;
    const first = String((await call("PUT", `${room}/send/m.room.message/t1`, { msgtype: "m.text", body: "one" }))["event_id"]);
    const template = (await s.stores.events.getEvent(first))?.event.pdu;
    assert.ok(template);
    const stateGroup = (await s.stores.rooms.getRoom(roomId))?.currentStateGroup;
    return { s, call, room, roomId, first, pdu: { ...template, content: { msgtype: "m.text", body } } as Pdu, stateGroup };
  }

  it("shows nothing of it and hands out no token past it", async () => {
    const { s, call, room, roomId, first, pdu, stateGroup } = await roomWithAMessage("alice", "never sent");
    let stored!: () => void;
    const mid = new Promise<void>((r) => { stored = r; });
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const body = s.db.transaction(async (tx) => {
      await s.stores.events.persist(tx, { event: { eventId: "$never-sent", pdu }, roomId, stateGroupBefore: stateGroup, builtOnCurrent: true });
      stored();
      await gate;
      throw new Error("the body fails: rolled back");
    });
    await mid;
    const page = await call("GET", `${room}/messages?dir=b&limit=5`);
    release();
    await assert.rejects(body, /rolled back/);
    const shown = (page["chunk"] as JsonObject[]).map((e) => String(e["event_id"]));
    assert.ok(shown.includes(first), `the page: ${shown.join(", ")}`);
    assert.ok(!shown.includes("$never-sent"), "the page showed an event whose body then rolled back");

    const second = String((await call("PUT", `${room}/send/m.room.message/t2`, { msgtype: "m.text", body: "two" }))["event_id"]);
    const forward = await call("GET", `${room}/messages?dir=f&limit=5&from=${encodeURIComponent(String(page["start"]))}`);
    const later = (forward["chunk"] as JsonObject[]).map((e) => String(e["event_id"]));
    assert.ok(later.includes(second), `Alice's next message is missing from a forward page from the first page's start: ${later.join(", ")}`);
  });

  it("nor of a body that ran in a group whose COMMIT then fails", async () => {
    const { s, call, room, roomId, first, pdu, stateGroup } = await roomWithAMessage("alice2", "never committed");
    assert.ok(s.db.stage);
    // a body inserting an orphan child makes its group's COMMIT fail (deferred foreign key)
    await prepareFailingCommit(s.db);
    // two bodies of one group: the first stores a message and ends; the second is held, then fails the COMMIT
    const stored = s.db.stage((tx) => s.stores.events.persist(tx, { event: { eventId: "$never-committed", pdu }, roomId, stateGroupBefore: stateGroup, builtOnCurrent: true }));
    const poison = stagePoisonBody(s.db);
    await stored.executed;
    await poison.held;
    const page = await call("GET", `${room}/messages?dir=b&limit=5`);
    poison.release();
    await assert.rejects(stored.committed, /FOREIGN KEY/);
    await assert.rejects(poison.committed, /FOREIGN KEY/);
    const shown = (page["chunk"] as JsonObject[]).map((e) => String(e["event_id"]));
    assert.ok(shown.includes(first), `the page: ${shown.join(", ")}`);
    assert.ok(!shown.includes("$never-committed"), "the page showed an event whose group's COMMIT then failed");
    const second = String((await call("PUT", `${room}/send/m.room.message/t2`, { msgtype: "m.text", body: "two" }))["event_id"]);
    const forward = await call("GET", `${room}/messages?dir=f&limit=5&from=${encodeURIComponent(String(page["start"]))}`);
    const later = (forward["chunk"] as JsonObject[]).map((e) => String(e["event_id"]));
    assert.ok(later.includes(second), `Alice's next message is missing from a forward page from the first page's start: ${later.join(", ")}`);
  });

  it("nor, in a forward page without `to`, of a body held right after its events INSERT", async () => {
    const { s, call, room, roomId, pdu, stateGroup } = await roomWithAMessage("alice3", "never sent");
    const before = await call("GET", `${room}/messages?dir=b&limit=5`);
    const hold = holdAfterStatement(/^\s*INSERT INTO events\b/i);
    const body = s.db.transaction(async (tx) => {
      await s.stores.events.persist(hold.wrap(tx), { event: { eventId: "$never-sent-3", pdu }, roomId, stateGroupBefore: stateGroup, builtOnCurrent: true });
      throw new Error("the body fails: rolled back");
    });
    await hold.reached;
    const forward = await call("GET", `${room}/messages?dir=f&limit=5&from=${encodeURIComponent(String(before["start"]))}`);
    hold.release();
    await assert.rejects(body, /rolled back/);
    const shown = (forward["chunk"] as JsonObject[]).map((e) => String(e["event_id"]));
    assert.ok(!shown.includes("$never-sent-3"), `the forward page showed an event whose body then rolled back: ${shown.join(", ")}`);
  });
});
