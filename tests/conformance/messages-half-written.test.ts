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
import type { SqlExecutor } from "../../homeserver/src/storage/sql.ts";
import { registerUser, startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";
import { call as api } from "../harness/client-api.ts";

describe("/messages while a write body is half done (SQLite)", function () {
  this.timeout(60_000);
  let server: TestHomeserver | undefined;
  after(() => server?.stop());

  it("shows nothing of it and hands out no token past it", async () => {
    server = await startTestHomeserver();
    const { url } = server;
    const s = server.hs.context;
    const alice = await registerUser(url, "alice");
    const call = (method: string, path: string, body?: JsonObject): Promise<JsonObject> => api<JsonObject>(url, alice, method, `/_matrix/client/v3${path}`, body);
    const roomId = String((await call("POST", "/createRoom", {}))["room_id"]);
    const room = `/rooms/${encodeURIComponent(roomId)}`;
    const first = String((await call("PUT", `${room}/send/m.room.message/t1`, { msgtype: "m.text", body: "one" }))["event_id"]);

    const template = (await s.stores.events.getEvent(first))?.event.pdu;
    assert.ok(template);
    const state = await s.stores.rooms.getRoom(roomId);
    const pdu = { ...template, content: { msgtype: "m.text", body: "never sent" } } as Pdu;
    let stored!: () => void;
    const mid = new Promise<void>((r) => { stored = r; });
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const body = s.db.transaction(async (tx) => {
      await s.stores.events.persist(tx, { event: { eventId: "$never-sent", pdu }, roomId, stateGroupBefore: state?.currentStateGroup, builtOnCurrent: true });
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
    const s = server?.hs.context;
    assert.ok(server && s);
    const { url } = server;
    const alice = await registerUser(url, "alice2");
    const call = (method: string, path: string, body?: JsonObject): Promise<JsonObject> => api<JsonObject>(url, alice, method, `/_matrix/client/v3${path}`, body);
    // a body inserting an orphan child makes its group's COMMIT fail (deferred foreign key)
    await s.db.exec("CREATE TABLE t_parent (id INTEGER PRIMARY KEY); CREATE TABLE t_child (p INTEGER REFERENCES t_parent (id) DEFERRABLE INITIALLY DEFERRED)");
    const roomId = String((await call("POST", "/createRoom", {}))["room_id"]);
    const room = `/rooms/${encodeURIComponent(roomId)}`;
    const first = String((await call("PUT", `${room}/send/m.room.message/t1`, { msgtype: "m.text", body: "one" }))["event_id"]);
    const template = (await s.stores.events.getEvent(first))?.event.pdu;
    assert.ok(template && s.db.stage);
    const state = await s.stores.rooms.getRoom(roomId);
    const pdu = { ...template, content: { msgtype: "m.text", body: "never committed" } } as Pdu;
    // two bodies of one group: the first stores a message and ends; the second is held, then fails the COMMIT
    const stored = s.db.stage((tx) => s.stores.events.persist(tx, { event: { eventId: "$never-committed", pdu }, roomId, stateGroupBefore: state?.currentStateGroup, builtOnCurrent: true }));
    let held!: () => void;
    const mid = new Promise<void>((r) => { held = r; });
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const poison = s.db.stage(async (tx) => {
      await tx.run("INSERT INTO t_child (p) VALUES (1)");
      held();
      await gate;
    });
    await stored.executed;
    await mid;
    const page = await call("GET", `${room}/messages?dir=b&limit=5`);
    release();
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
    const s = server?.hs.context;
    assert.ok(server && s);
    const { url } = server;
    const alice = await registerUser(url, "alice3");
    const call = (method: string, path: string, body?: JsonObject): Promise<JsonObject> => api<JsonObject>(url, alice, method, `/_matrix/client/v3${path}`, body);
    const roomId = String((await call("POST", "/createRoom", {}))["room_id"]);
    const room = `/rooms/${encodeURIComponent(roomId)}`;
    const first = String((await call("PUT", `${room}/send/m.room.message/t1`, { msgtype: "m.text", body: "one" }))["event_id"]);
    const before = await call("GET", `${room}/messages?dir=b&limit=5`);
    const template = (await s.stores.events.getEvent(first))?.event.pdu;
    assert.ok(template);
    const state = await s.stores.rooms.getRoom(roomId);
    const pdu = { ...template, content: { msgtype: "m.text", body: "never sent" } } as Pdu;
    let stored!: () => void;
    const mid = new Promise<void>((r) => { stored = r; });
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const body = s.db.transaction(async (tx) => {
      const held = new Proxy(tx, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver) as unknown;
          if (prop !== "one" || typeof v !== "function") return v;
          return async (sql: string, params?: unknown[]) => {
            const r = await (v as (q: string, p?: unknown[]) => Promise<unknown>).call(target, sql, params);
            if (/^\s*INSERT INTO events\b/i.test(sql)) {
              stored();
              await gate;
            }
            return r;
          };
        },
      }) as SqlExecutor;
      await s.stores.events.persist(held, { event: { eventId: "$never-sent-3", pdu }, roomId, stateGroupBefore: state?.currentStateGroup, builtOnCurrent: true });
      throw new Error("the body fails: rolled back");
    });
    await mid;
    const forward = await call("GET", `${room}/messages?dir=f&limit=5&from=${encodeURIComponent(String(before["start"]))}`);
    release();
    await assert.rejects(body, /rolled back/);
    const shown = (forward["chunk"] as JsonObject[]).map((e) => String(e["event_id"]));
    assert.ok(!shown.includes("$never-sent-3"), `the forward page showed an event whose body then rolled back: ${shown.join(", ")}`);
  });
});
