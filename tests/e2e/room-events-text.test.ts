// /relations and /messages build their pages as JSON text, splicing each event's stored content
// (rooms/client-event-text.ts) and judging events on their columns, not their parsed JSON. This
// differential test reads a room full of special cases over HTTP and compares every page (parsed)
// with the object path (serializeRoomEvents over the same events, as the endpoints answered
// before), and checks that the column-based filter and visibility pick the same events as the
// PDU-based ones, on SQLite and PostgreSQL.
import assert from "node:assert/strict";
import { startTestHomeserver, registerUser, type TestHomeserver } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import { requirePostgres } from "../harness/postgres.ts";
import { serializeRoomEvents } from "../../homeserver/src/server/rooms/bundled-aggregations.ts";
import { RoomVisibility } from "../../homeserver/src/server/rooms/visibility.ts";
import { matchesRoomEventFilter, parseRoomEventFilter, rowMatchesRoomEventFilter } from "../../homeserver/src/server/rooms/room-event-filter.ts";
import { versionOrThrow } from "../../homeserver/src/server/rooms/local-events.ts";
import type { StoredEventRow } from "../../homeserver/src/storage/event-store.ts";

const C = "/_matrix/client/v3";
const V1 = "/_matrix/client/v1";
type Json = Record<string, unknown>;
type Page = { chunk: Json[]; next_batch?: string; end?: string; state?: Json[] };
type Reader = Session & { deviceId: string };

/** `unsigned.age` depends on when each path ran: removed everywhere before comparing. */
function withoutAge(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutAge);
  if (typeof v !== "object" || v === null) return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== "age").map(([k, x]) => [k, withoutAge(x)]));
}

/** The same row as read before columns and text existed: every field from the parsed PDU. */
function parsedOnly(row: StoredEventRow): StoredEventRow {
  return { stream: row.stream, event: { eventId: row.event.eventId, pdu: row.event.pdu }, stateGroup: row.stateGroup, redactedBy: row.redactedBy,
    stateGroupBefore: row.stateGroupBefore, outlier: row.outlier, rejected: row.rejected, softFailed: row.softFailed };
}

const FILTERS: Json[] = [
  {}, { types: ["m.room.message"] }, { not_types: ["m.room.member", "m.room.*"] }, { types: ["m.room.*"], not_types: ["m.room.message"] },
  { contains_url: true }, { contains_url: false }, { not_rel_types: ["m.thread"] }, { rel_types: ["m.thread", "m.reference"] },
  { lazy_load_members: true }, { lazy_load_members: true, types: ["m.room.message"] },
];

for (const db of ["sqlite", "postgres"] as const) describe(`room event pages as text (${db})`, function () {
  this.timeout(180_000);
  let server: TestHomeserver;
  let alice: Reader;
  let aliceOther: Reader;
  let bob: Reader;
  let carol: Reader;
  let roomId: string;
  let n = 0;
  const ids: Record<string, string> = {};

  const send = async (who: Session, content: Json, type = "m.room.message"): Promise<string> =>
    (await call<{ event_id: string }>(server.url, who, "PUT", `${C}/rooms/${enc(roomId)}/send/${type}/t${n++}`, content)).event_id;
  const state = (who: Session, type: string, key: string, content: Json): Promise<{ event_id: string }> =>
    call(server.url, who, "PUT", `${C}/rooms/${enc(roomId)}/state/${type}/${enc(key)}`, content);
  const rel = (relType: string, eventId: string): Json => ({ "m.relates_to": { rel_type: relType, event_id: eventId } });

  before(async function () {
    if (db === "postgres") await requirePostgres(this);
    server = await startTestHomeserver({ db });
    alice = await registerUser(server.url, "alice");
    bob = await registerUser(server.url, "bob");
    carol = await registerUser(server.url, "carol");
    const login = await call<{ access_token: string; device_id: string }>(server.url, undefined, "POST", `${C}/login`,
      { type: "m.login.password", identifier: { type: "m.id.user", user: "alice" }, password: "correct horse battery staple" });
    aliceOther = { userId: alice.userId, accessToken: login.access_token, deviceId: login.device_id };
    ({ room_id: roomId } = await call<{ room_id: string }>(server.url, alice, "POST", `${C}/createRoom`, { preset: "private_chat", invite: [bob.userId, carol.userId] }));
    await call(server.url, bob, "POST", `${C}/rooms/${enc(roomId)}/join`, {});
    await call(server.url, carol, "POST", `${C}/rooms/${enc(roomId)}/join`, {});
    await state(alice, "m.room.topic", "", { topic: "Conseil « municipal »" });
    await state(alice, "fr.entente.tasks", "liste", { anchor: "$x", nested: { content: { a: 1 }, unsigned: {} } });
    ids["plain"] = await send(alice, { msgtype: "m.text", body: "bonjour" });
    ids["escapes"] = await send(alice, {
      msgtype: "m.text", body: "é \"cité\" \\ \u2028 😀 </script> \t\n", n: -15, big: 9007199254740991, zero: 0, list: [1, { b: null, c: [true, false] }, "x"],
      content: { unsigned: {}, redacts: "$nope" }, "clé avec espaces": "v", "": "vide",
    });
    ids["image"] = await send(bob, { msgtype: "m.image", body: "plan.png", url: "mxc://example.org/plan" });
    ids["encrypted"] = await send(alice, { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "AwgAEn…", device_id: alice.deviceId, session_id: "s" }, "m.room.encrypted");
    ids["carol"] = await send(carol, { msgtype: "m.text", body: "ignorée" });
    const root = (ids["thread"] = await send(alice, { msgtype: "m.text", body: "fil" }));
    await send(bob, { msgtype: "m.text", body: "réponse 1", ...rel("m.thread", root) });
    await send(alice, { msgtype: "m.text", body: "réponse 2", ...rel("m.thread", root) });
    await send(alice, { msgtype: "m.text", body: "* bonjour !", "m.new_content": { msgtype: "m.text", body: "bonjour !" }, ...rel("m.replace", ids["plain"]) });
    const anchor = (ids["anchor"] = await send(alice, { msgtype: "fr.entente.tasks.anchor", body: "Liste" }));
    const roots: string[] = [];
    for (let i = 0; i < 4; i++) roots.push(await send(i % 2 ? bob : alice, { msgtype: "fr.entente.task", body: `tâche ${i}`, ...rel("m.reference", anchor) }));
    for (const [i, r] of roots.entries()) {
      await send(alice, { clock: i, title: `titre ${i}`, ...rel("m.reference", r) }, "fr.entente.task.update");
      await send(bob, { clock: i + 1, done: true, ...rel("m.reference", r) }, "fr.entente.task.update");
    }
    await send(carol, { clock: 9, ...rel("m.reference", roots[0] ?? "") }, "fr.entente.task.update");
    const doomed = await send(alice, { msgtype: "m.text", body: "à effacer", ...rel("m.reference", anchor) });
    await call(server.url, alice, "PUT", `${C}/rooms/${enc(roomId)}/redact/${enc(doomed)}/r${n++}`, { reason: "erreur" });
    await call(server.url, alice, "PUT", `${C}/rooms/${enc(roomId)}/redact/${enc(ids["image"])}/r${n++}`, {});
    await state(bob, "m.room.member", bob.userId, { membership: "join", displayname: "Bob « B »" });
    await call(server.url, alice, "PUT", `${C}/user/${enc(alice.userId)}/account_data/m.ignored_user_list`, { ignored_users: { [carol.userId]: {} } });
  });
  after(() => server?.stop());

  /** Every page of a read, following its token. */
  async function pages(reader: Reader, path: (from: string | undefined) => string, token: "next_batch" | "end"): Promise<Page[]> {
    const out: Page[] = [];
    let from: string | undefined;
    for (let i = 0; i < 50; i++) {
      const p = await call<Page>(server.url, reader, "GET", path(from));
      out.push(p);
      from = p[token];
      if (from === undefined || p.chunk.length === 0) return out;
    }
    throw new Error("more than 50 pages");
  }

  /** The object path's JSON for the events of `events`, in their order. */
  async function objectPath(reader: Reader, events: readonly Json[]): Promise<unknown> {
    const s = server.hs.context;
    const room = await s.stores.rooms.getRoom(roomId);
    const loaded = await s.stores.events.getEvents(events.map((e) => String(e["event_id"])));
    const rows = events.map((e) => loaded.get(String(e["event_id"]))).filter((r): r is StoredEventRow => r !== undefined);
    assert.equal(rows.length, events.length);
    const visibility = new RoomVisibility(s, roomId, reader.userId);
    return serializeRoomEvents(s, { userId: reader.userId, deviceId: reader.deviceId, version: versionOrThrow(room?.version ?? ""), visibility }, rows.map(parsedOnly));
  }

  async function assertSameAsObjectPath(reader: Reader, read: Page[]): Promise<number> {
    let events = 0;
    for (const p of read) {
      assert.deepEqual(withoutAge(p.chunk), withoutAge(await objectPath(reader, p.chunk)));
      if (p.state !== undefined) assert.deepEqual(withoutAge(p.state), withoutAge(await objectPath(reader, p.state)));
      events += p.chunk.length;
    }
    return events;
  }

  it("answers /relations (direct and recursive, both directions, filtered, paged) as the object path does", async () => {
    const r = enc(roomId);
    let seen = 0;
    for (const reader of [alice, aliceOther, bob]) {
      for (const [parent, suffix] of [["anchor", ""], ["anchor", "/m.reference"], ["anchor", "/m.reference/fr.entente.task.update"], ["thread", "/m.thread"], ["plain", "/m.replace"]] as const) {
        for (const query of ["dir=b", "dir=f", "dir=b&recurse=true", "dir=f&recurse=true&limit=3", "dir=b&recurse=true&limit=2"]) {
          const read = await pages(reader, (from) => `${V1}/rooms/${r}/relations/${enc(ids[parent] ?? "")}${suffix}?${query}${from ? `&from=${enc(from)}` : ""}`, "next_batch");
          seen += await assertSameAsObjectPath(reader, read);
        }
      }
    }
    assert.ok(seen > 100, `${seen} events compared`);
  });

  it("answers /messages (every filter, both directions, paged, lazy members) as the object path does", async () => {
    const r = enc(roomId);
    let seen = 0;
    for (const reader of [alice, aliceOther, bob]) {
      for (const filter of FILTERS) {
        for (const query of ["dir=b&limit=4", "dir=f&limit=7"]) {
          const f = enc(JSON.stringify(filter));
          const read = await pages(reader, (from) => `${C}/rooms/${r}/messages?${query}&filter=${f}${from ? `&from=${enc(from)}` : ""}`, "end");
          seen += await assertSameAsObjectPath(reader, read);
        }
      }
    }
    assert.ok(seen > 300, `${seen} events compared`);
  });

  it("shows the reader's own transaction ids, spliced contents byte for byte and hides ignored users", async () => {
    const all = (reader: Reader): Promise<Page> => call<Page>(server.url, reader, "GET", `${C}/rooms/${enc(roomId)}/messages?dir=b&limit=1000`);
    const mine = await all(alice);
    const escapes = mine.chunk.find((e) => e["event_id"] === ids["escapes"]);
    assert.equal((escapes?.["unsigned"] as Json | undefined)?.["transaction_id"], "t1");
    assert.equal((escapes?.["content"] as Json | undefined)?.["body"], "é \"cité\" \\ \u2028 😀 </script> \t\n");
    assert.ok(!mine.chunk.some((e) => e["event_id"] === ids["carol"]), "alice ignores carol");
    const other = await all(aliceOther);
    assert.ok(!other.chunk.some((e) => (e["unsigned"] as Json | undefined)?.["transaction_id"] !== undefined), "another device sees no transaction id");
    assert.ok((await all(bob)).chunk.some((e) => e["event_id"] === ids["carol"]), "bob sees carol");
  });

  it("picks the same events by columns as by the parsed event (filters, visibility)", async () => {
    const s = server.hs.context;
    const rows = await s.stores.events.roomEvents(roomId, { limit: 1000, backwards: false });
    assert.ok(rows.length > 30);
    for (const filter of FILTERS.map(parseRoomEventFilter)) {
      for (const row of rows) assert.equal(rowMatchesRoomEventFilter(filter, row, roomId), matchesRoomEventFilter(filter, row.event.pdu, roomId), row.event.eventId);
    }
    for (const reader of [alice, bob, carol]) {
      const byColumns = new RoomVisibility(s, roomId, reader.userId);
      const byPdu = new RoomVisibility(s, roomId, reader.userId);
      for (const row of rows) assert.equal(await byColumns.canSee(row), await byPdu.canSee(parsedOnly(row)), row.event.eventId);
    }
  });
});
