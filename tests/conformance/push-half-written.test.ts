// The push evaluation must not move its cursor into a write body still running (SQLite: reads
// share the writer's connection and see the body half done). Such a body may still roll back, and
// its positions then go to the next events: a cursor past them skips those for good (no push
// action, no notification count, no phone push). Real homeserver, real code paths: a body stores a
// message and is held; GET /notifications (which evaluates up to now first) runs meanwhile; the
// body then fails and rolls back; Alice's next message, at the freed position, must notify Bob.
import assert from "node:assert/strict";
import type { JsonObject, Pdu } from "../../homeserver/src/room/pdu.ts";
import { registerUser, startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";

describe("push evaluation while a write body is half done (SQLite)", function () {
  this.timeout(60_000);
  let server: TestHomeserver | undefined;
  after(() => server?.stop());

  it("never moves its cursor past an event whose body then rolls back", async () => {
    server = await startTestHomeserver();
    const { url } = server;
    const s = server.hs.context;
    const alice = await registerUser(url, "alice");
    const bob = await registerUser(url, "bob");
    const call = async (token: string, method: string, path: string, body?: JsonObject): Promise<JsonObject> => {
      const res = await fetch(`${url}/_matrix/client/v3${path}`, {
        method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, ...(body && { body: JSON.stringify(body) }),
      });
      const json = (await res.json()) as JsonObject;
      assert.equal(res.status, 200, `${method} ${path}: ${JSON.stringify(json)}`);
      return json;
    };
    const roomId = String((await call(alice.accessToken, "POST", "/createRoom", { invite: [bob.userId] }))["room_id"]);
    await call(bob.accessToken, "POST", `/rooms/${encodeURIComponent(roomId)}/join`, {});
    const first = String((await call(alice.accessToken, "PUT", `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t1`, { msgtype: "m.text", body: "one" }))["event_id"]);
    await call(bob.accessToken, "GET", "/notifications");

    // a body storing Bob's own message (it notifies nobody), held, then failing
    const template = (await s.stores.events.getEvent(first))?.event.pdu;
    assert.ok(template);
    const room = await s.stores.rooms.getRoom(roomId);
    const pdu = { ...template, sender: bob.userId, content: { msgtype: "m.text", body: "never sent" } } as Pdu;
    let stored!: () => void;
    const mid = new Promise<void>((r) => { stored = r; });
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const body = s.db.transaction(async (tx) => {
      await s.stores.events.persist(tx, { event: { eventId: "$never-sent", pdu }, roomId, stateGroupBefore: room?.currentStateGroup, builtOnCurrent: true });
      stored();
      await gate;
      throw new Error("the body fails: rolled back");
    });
    await mid;
    // GET /notifications evaluates up to the newest position first: let it read (or finish) meanwhile
    let evaluationRead!: () => void;
    const read = new Promise<void>((r) => { evaluationRead = r; });
    const store = s.push.store;
    const original = store.eventsToEvaluate.bind(store);
    store.eventsToEvaluate = async (...args) => {
      const rows = await original(...args);
      evaluationRead();
      return rows;
    };
    const during = call(bob.accessToken, "GET", "/notifications");
    await Promise.race([during, read]);
    store.eventsToEvaluate = original;
    release();
    await assert.rejects(body, /rolled back/);
    await during;

    const second = String((await call(alice.accessToken, "PUT", `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t2`, { msgtype: "m.text", body: "two" }))["event_id"]);
    const list = (await call(bob.accessToken, "GET", "/notifications"))["notifications"] as JsonObject[];
    const ids = list.map((n) => String((n["event"] as JsonObject)["event_id"]));
    assert.ok(ids.includes(first), `Alice's first message notified Bob: ${ids.join(", ")}`);
    assert.ok(!ids.includes("$never-sent"), `a notification for an event that was rolled back: ${ids.join(", ")}`);
    assert.ok(ids.includes(second), `Alice's message after the rolled-back body never notified Bob: ${ids.join(", ")}`);
  });
});
