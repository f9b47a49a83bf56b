// An incremental /sync reads the events since its token in its positions' statement
// (storage/sync-queries.ts syncPositions, server/sync/event-range.ts) instead of two more reads (the
// rooms with events, then each room's events): on PostgreSQL two round trips. The rows must be what
// EventStore.roomEvents reads, only the user's rooms are looked at, and past the statement's limit
// the two reads come back (the timeline still the newest events, limited).
import assert from "node:assert/strict";
import type { SqlValue } from "../../homeserver/src/storage/sql.ts";
import { syncPositions } from "../../homeserver/src/storage/sync-queries.ts";
import { startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";
import { aliceAndBobInPublicRoom } from "../harness/public-room.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import { requirePostgres } from "../harness/postgres.ts";

const C = "/_matrix/client/v3";
type Timeline = { events: { event_id: string }[]; limited: boolean };
type Sync = { next_batch: string; rooms?: { join?: Record<string, { timeline: Timeline }> } };

for (const db of ["sqlite", "postgres"] as const) describe(`/sync's events read with its positions (${db})`, function () {
  this.timeout(60_000);
  let server: TestHomeserver;
  let alice: Session, bob: Session;
  let roomId: string, bobsOwn: string;
  let n = 0;
  let sqls: string[] | undefined;

  before(async function () {
    if (db === "postgres") await requirePostgres(this);
    server = await startTestHomeserver({ db });
    ({ alice, bob, roomId } = await aliceAndBobInPublicRoom(server.url));
    ({ room_id: bobsOwn } = await call<{ room_id: string }>(server.url, bob, "POST", `${C}/createRoom`, { preset: "private_chat" }));
    const database = server.hs.context.db;
    for (const m of ["all", "one", "run"] as const) {
      const orig = database[m].bind(database) as (sql: string, params?: readonly SqlValue[]) => Promise<unknown>;
      (database as unknown as Record<string, unknown>)[m] = (sql: string, params?: readonly SqlValue[]) => {
        sqls?.push(sql);
        return orig(sql, params);
      };
    }
  });
  after(() => server?.stop());

  const send = async (room: string, who = bob): Promise<string> =>
    (await call<{ event_id: string }>(server.url, who, "PUT", `${C}/rooms/${enc(room)}/send/m.room.message/r${n++}`, { msgtype: "m.text", body: `message ${n}` })).event_id;
  const syncFrom = (since: string): Promise<Sync> => call<Sync>(server.url, alice, "GET", `${C}/sync?timeout=0&since=${enc(since)}`);

  it("reads the rows roomEvents reads, in the user's rooms only", async () => {
    const events = server.hs.context.stores.events;
    const since = await events.maxStream();
    await send(roomId);
    await send(bobsOwn);
    await send(roomId, alice);
    const r = await syncPositions(server.hs.context.db, alice.userId, since, 32);
    assert.equal(r.eventsAfter.all, true);
    assert.deepEqual(new Set(r.eventsAfter.rows.map((x) => x.columns?.roomId)), new Set([roomId]), "bob's own room is not alice's");
    const direct = (await events.roomEvents(roomId, { after: since, before: r.events, limit: 33, backwards: true })).reverse();
    const shape = (x: (typeof direct)[number]): unknown => ({ ...x, event: { eventId: x.event.eventId, pdu: x.event.pdu } });
    assert.deepEqual(r.eventsAfter.rows.map(shape), direct.map(shape));
    const few = await syncPositions(server.hs.context.db, alice.userId, since, 1);
    assert.equal(few.eventsAfter.all, false);
    assert.equal(few.eventsAfter.rows.length, 1);
  });

  it("a woken /sync reads no room list and no room's events after its positions", async () => {
    const since = (await syncFrom((await call<Sync>(server.url, alice, "GET", `${C}/sync?timeout=0`)).next_batch)).next_batch;
    const id = await send(roomId);
    sqls = [];
    const r = await syncFrom(since);
    const seen = sqls;
    sqls = undefined;
    assert.ok(r.rooms?.join?.[roomId]?.timeline.events.some((e) => e.event_id === id));
    assert.deepEqual(seen.filter((q) => /DISTINCT room_id|WHERE room_id = \? AND stream_ordering > \?/.test(q)), []);
  });

  it("past the statement's limit: the newest events, limited", async () => {
    const since = (await call<Sync>(server.url, alice, "GET", `${C}/sync?timeout=0`)).next_batch;
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await send(roomId));
    await send(bobsOwn);
    const r = await syncFrom(since);
    const t = r.rooms?.join?.[roomId]?.timeline;
    assert.deepEqual(t?.events.map((e) => e.event_id), ids.slice(-20));
    assert.equal(t?.limited, true);
  });
});
