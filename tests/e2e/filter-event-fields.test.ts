// Filter `event_fields` on a real server: /sync returns only the requested fields of timeline and
// state events, with the spec's escaping (`content.m\.relates_to`), for inline and stored filters;
// malformed or oversized lists are refused at upload and on /sync.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#filtering
import assert from "node:assert/strict";
import { registerUser, startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";
import { ApiError, call, enc, type Session } from "../harness/client-api.ts";

const C = "/_matrix/client/v3";
type Json = Record<string, unknown>;
interface RoomSection { timeline: { events: Json[] }; state: { events: Json[] } }
interface SyncBody { next_batch: string; rooms: { join: Record<string, RoomSection> } }

describe("filter event_fields in /sync", function () {
  this.timeout(60_000);
  let server: TestHomeserver;
  let alice: Session;
  let roomId: string;
  let threadRoot: string;
  const api = <T = Json>(method: string, path: string, body?: unknown): Promise<T> => call<T>(server.url, alice, method, C + path, body);
  const sync = (filter: string, since?: string): Promise<SyncBody> =>
    api<SyncBody>("GET", `/sync?timeout=0&filter=${enc(filter)}${since ? `&since=${enc(since)}` : ""}`);
  const errcode = async (p: Promise<unknown>): Promise<[number, unknown]> => {
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
    roomId = (await api<{ room_id: string }>("POST", "/createRoom", { name: "Voirie" })).room_id;
    threadRoot = (await api<{ event_id: string }>("PUT", `/rooms/${enc(roomId)}/send/m.room.message/root`, { msgtype: "m.text", body: "racine" })).event_id;
    await api("PUT", `/rooms/${enc(roomId)}/send/m.room.message/reply`, {
      msgtype: "m.text", body: "dans le fil", "m.relates_to": { rel_type: "m.thread", event_id: threadRoot },
    });
  });
  after(async () => server?.stop());

  const messages = (room: RoomSection | undefined): Json[] => (room?.timeline.events ?? []).filter((e) => (e["content"] as Json | undefined)?.["body"] !== undefined);

  it("without event_fields, events are complete", async () => {
    const room = (await sync(JSON.stringify({}))).rooms.join[roomId];
    const [first] = messages(room);
    assert.ok(first?.["event_id"] && first["sender"] && first["origin_server_ts"] && first["unsigned"], JSON.stringify(first));
  });

  it("an inline filter keeps only the requested fields, nested and escaped", async () => {
    const filter = { event_fields: ["type", "content.body", "content.m\\.relates_to.rel_type"], room: { timeline: { types: ["m.room.message"] } } };
    const room = (await sync(JSON.stringify(filter))).rooms.join[roomId];
    assert.deepEqual(room?.timeline.events, [
      { type: "m.room.message", content: { body: "racine" } },
      { type: "m.room.message", content: { body: "dans le fil", "m.relates_to": { rel_type: "m.thread" } } },
    ]);
  });

  it("applies to state events and to the unsigned section too", async () => {
    const filter = { event_fields: ["type", "state_key", "unsigned.age", "content.name"] };
    const room = (await sync(JSON.stringify(filter))).rooms.join[roomId];
    assert.ok(room);
    const all = [...room.state.events, ...room.timeline.events];
    assert.ok(all.length > 3);
    for (const e of all) {
      for (const key of Object.keys(e)) assert.ok(["type", "state_key", "unsigned", "content"].includes(key), `unexpected ${key} in ${JSON.stringify(e)}`);
      assert.deepEqual(Object.keys(e["unsigned"] as Json), ["age"]);
    }
    const name = all.find((e) => e["type"] === "m.room.name");
    assert.deepEqual(name, { type: "m.room.name", state_key: "", content: { name: "Voirie" }, unsigned: { age: (name?.["unsigned"] as Json)["age"] } });
  });

  it("a stored filter applies on incremental syncs", async () => {
    const { filter_id: filterId } = await api<{ filter_id: string }>("POST", `/user/${enc(alice.userId)}/filter`, { event_fields: ["event_id", "content.body"] });
    const first = await sync(filterId);
    const { event_id: eventId } = await api<{ event_id: string }>("PUT", `/rooms/${enc(roomId)}/send/m.room.message/later`, { msgtype: "m.text", body: "plus tard" });
    const next = await sync(filterId, first.next_batch);
    assert.deepEqual(next.rooms.join[roomId]?.timeline.events, [{ event_id: eventId, content: { body: "plus tard" } }]);
  });

  it("an empty list means every field, as Synapse does", async () => {
    const room = (await sync(JSON.stringify({ event_fields: [] }))).rooms.join[roomId];
    assert.ok(messages(room).every((e) => typeof e["event_id"] === "string" && typeof e["sender"] === "string"));
  });

  it("refuses malformed and oversized lists, at upload and inline", async () => {
    const path = `/user/${enc(alice.userId)}/filter`;
    assert.deepEqual(await errcode(api("POST", path, { event_fields: "content.body" })), [400, "M_BAD_JSON"]);
    assert.deepEqual(await errcode(api("POST", path, { event_fields: [1] })), [400, "M_BAD_JSON"]);
    const many = Array.from({ length: 101 }, (_, i) => `content.f${i}`);
    assert.deepEqual(await errcode(api("POST", path, { event_fields: many })), [400, "M_INVALID_PARAM"]);
    assert.deepEqual(await errcode(api("POST", path, { event_fields: ["c".repeat(513)] })), [400, "M_INVALID_PARAM"]);
    assert.deepEqual(await errcode(sync(JSON.stringify({ event_fields: many }))), [400, "M_INVALID_PARAM"]);
    assert.deepEqual(await errcode(sync(JSON.stringify({ event_fields: [true] }))), [400, "M_BAD_JSON"]);
  });
});
