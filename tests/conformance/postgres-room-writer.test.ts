// One room's local events on a real PostgreSQL (rooms/local-events.ts, sendEarly): the room's lock
// is released once an event's writes ran in the open group, the next event is built from what it
// left in memory, and consecutive events of the room share one COMMIT. What must hold:
//  - concurrent sends keep a chain: each event's prev_events is the room's previous event, depth + 1;
//  - a send resolves only once its event is committed (a read on another connection, started when
//    it resolved, finds it);
//  - when a COMMIT fails, every event in it is refused (none acknowledged, none stored), events
//    built on them are built again on what committed, and the room goes on;
//  - retransmissions (same transaction id) get the first attempt's event, committed or not;
//  - a plain holder of the room's lock (federation input) sees every event built before it.
import assert from "node:assert/strict";
import pg from "pg";
import { openDatabase } from "../../homeserver/src/storage/open-database.ts";
import type { Database, SqlExecutor } from "../../homeserver/src/storage/sql.ts";
import { EventStore, type EventTxn } from "../../homeserver/src/storage/event-store.ts";
import { RoomStore } from "../../homeserver/src/storage/room-store.ts";
import { generateSigningKey } from "../../homeserver/src/room/signing.ts";
import { getRoomVersion } from "../../homeserver/src/room/room-versions.ts";
import { systemClock } from "../../homeserver/src/server/clock.ts";
import { KeyedLock } from "../../homeserver/src/server/rooms/room-lock.ts";
import { LocalEvents, type PersistedEvent } from "../../homeserver/src/server/rooms/local-events.ts";
import { freshDatabase, requirePostgres } from "../harness/postgres.ts";

const OWNER = "@owner:a.test";
const users = Array.from({ length: 10 }, (_, i) => `@u${i}:a.test`);

describe("PostgreSQL: one room's events built before the previous COMMIT, grouped", function () {
  this.timeout(60_000);
  let db: Database;
  let drop: () => Promise<void>;
  let other: pg.Pool;
  let local: LocalEvents;
  let lock: KeyedLock;
  let events: EventStore;
  let roomId: string;
  let persisted: string[];

  beforeEach(async function () {
    await requirePostgres(this);
    const fresh = await freshDatabase();
    drop = fresh.drop;
    db = await openDatabase({ type: "postgres", url: fresh.url });
    // a body inserting an orphan child makes its group's COMMIT fail (deferred foreign key)
    await db.exec("CREATE TABLE t_parent (id BIGINT PRIMARY KEY); CREATE TABLE t_child (p BIGINT REFERENCES t_parent (id) DEFERRABLE INITIALLY DEFERRED)");
    other = new pg.Pool({ connectionString: fresh.url, max: 4 });
    lock = new KeyedLock();
    events = new EventStore({ db });
    persisted = [];
    local = new LocalEvents({
      db, events, rooms: new RoomStore({ db }), serverName: "a.test", signingKey: generateSigningKey("t"), clock: systemClock, lock,
      inTransaction: async (tx: SqlExecutor, e: PersistedEvent) => {
        if (e.event.pdu.content["body"] === "poison") await tx.run("INSERT INTO t_child (p) VALUES (1)");
      },
      onPersisted: (e) => void persisted.push(e.event.eventId),
    });
    const version = getRoomVersion("11");
    if (!version) throw new Error("room version 11");
    roomId = (await local.createRoomEvent(version, "!r:a.test", OWNER, { room_version: "11", creator: OWNER })).roomId;
    await local.send(roomId, OWNER, { type: "m.room.member", stateKey: OWNER, content: { membership: "join" } });
    await local.send(roomId, OWNER, { type: "m.room.power_levels", stateKey: "", content: { users: { [OWNER]: 100 }, events_default: 0 } });
    await local.send(roomId, OWNER, { type: "m.room.join_rules", stateKey: "", content: { join_rule: "public" } });
    for (const u of users) await local.send(roomId, u, { type: "m.room.member", stateKey: u, content: { membership: "join" } });
  });
  afterEach(async () => {
    await other?.end();
    await db?.close();
    await drop?.();
  });

  const message = (body: string) => ({ type: "m.room.message", content: { msgtype: "m.text", body } });
  const txnOf = (user: string, txnId: string): EventTxn => ({ userId: user, deviceId: "D", path: `/rooms/${roomId}/send/m.room.message`, txnId });

  /** The room's events in stream order, checked to form one chain (prev = the one before, depth + 1). */
  async function chain(): Promise<string[]> {
    const rows = await db.all<{ event_id: string; json: string }>("SELECT event_id, json FROM events WHERE room_id = ? ORDER BY stream_ordering", [roomId]);
    const pdus = rows.map((r) => JSON.parse(r.json) as { prev_events: string[]; depth: number });
    for (let i = 1; i < rows.length; i++) {
      assert.deepEqual(pdus[i]?.prev_events, [rows[i - 1]?.event_id], `event ${i}'s prev_events`);
      assert.equal(pdus[i]?.depth, (pdus[i - 1]?.depth ?? 0) + 1, `event ${i}'s depth`);
    }
    const ext = await db.all<{ event_id: string }>("SELECT event_id FROM forward_extremities WHERE room_id = ?", [roomId]);
    assert.deepEqual(ext.map((r) => r.event_id), [rows.at(-1)?.event_id], "one forward extremity: the last event");
    return rows.map((r) => r.event_id);
  }

  /** Sends and, when the send resolves, starts a read on another connection for its event. */
  function sendSeen(user: string, body: string, txn?: EventTxn): { sent: Promise<PersistedEvent>; seen: Promise<boolean> } {
    const sent = local.send(roomId, user, message(body), txn ? { txn } : {});
    const seen = sent.then(async (p) => (await other.query("SELECT 1 FROM events WHERE event_id = $1", [p.event.eventId])).rowCount === 1, () => false);
    return { sent, seen };
  }

  it("concurrent sends in one room: one chain, shared COMMITs, each acknowledged only once committed", async () => {
    const before = db.groupStats?.() ?? { groups: 0, transactions: 0 };
    const sends = users.flatMap((u) => [1, 2, 3].map((n) => sendSeen(u, `${u} ${n}`, txnOf(u, `t${n}`))));
    const done = await Promise.all(sends.map((s) => s.sent));
    assert.deepEqual(await Promise.all(sends.map((s) => s.seen)), sends.map(() => true), "every acknowledged event was visible to another connection");
    const after = db.groupStats?.() ?? { groups: 0, transactions: 0 };
    const ids = await chain();
    assert.deepEqual(new Set(ids.slice(-30)), new Set(done.map((p) => p.event.eventId)));
    // 30 events of one room: built before the previous committed, they share COMMITs
    assert.ok(after.groups - before.groups < 15, `COMMITs for 30 events of one room: ${after.groups - before.groups}`);
    assert.deepEqual(persisted.slice(-30), ids.slice(-30), "announced in stream order");
  });

  it("a failed COMMIT refuses every event of the room in it; events built on them are built again", async () => {
    for (const u of users) await local.send(roomId, u, message(`${u} bonjour`));
    const bodies = users.map((u, i) => (i === 3 ? "poison" : `${u} m`));
    const sends = users.map((u, i) => sendSeen(u, bodies[i] as string));
    const outcomes = await Promise.allSettled(sends.map((s) => s.sent));
    const seen = await Promise.all(sends.map((s) => s.seen));
    const ids = await chain();
    const refused = outcomes.flatMap((o, i) => (o.status === "rejected" ? [i] : []));
    assert.ok(refused.includes(3), "the poisoned event is refused");
    for (const i of refused) assert.match(String((outcomes[i] as PromiseRejectedResult).reason), /foreign key/);
    // the poisoned event shared its COMMIT with other events of the room: all refused with it
    assert.ok(refused.length >= 2, `refused: ${refused.join(", ")}`);
    console.log(`      (refused with the poisoned event: ${refused.length} of ${users.length})`);
    const stored = new Set(ids);
    outcomes.forEach((o, i) => {
      if (o.status === "fulfilled") {
        assert.ok(stored.has(o.value.event.eventId), `acknowledged ${i} is stored`);
        assert.equal(seen[i], true);
      }
    });
    const storedBodies = new Set((await db.all<{ json: string }>("SELECT json FROM events WHERE room_id = ?", [roomId])).map((r) => (JSON.parse(r.json) as { content: { body?: string } }).content.body));
    for (const i of refused) assert.ok(!storedBodies.has(bodies[i]), `refused ${i} is not stored`);
    assert.equal(persisted.filter((id) => !stored.has(id)).length, 0, "nothing refused was announced");
    // the room goes on from what committed
    const next = await local.send(roomId, OWNER, message("après"));
    assert.equal((await chain()).at(-1), next.event.eventId);
  });

  it("an event built on one whose COMMIT then failed is refused by its own body and built again on what committed", async () => {
    const before = (await chain()).at(-1);
    const poison = local.send(roomId, users[0] as string, message("poison"));
    poison.catch(() => undefined);
    // built on the poisoned event's tip (the lock passes on once its writes ran), staged only
    // once that COMMIT failed: its body finds the failure and the send builds it again
    const built = local.send(roomId, users[1] as string, message("construit après"), { precondition: async () => void await poison.catch(() => undefined) });
    await assert.rejects(poison, /foreign key/);
    const ok = await built;
    const ids = await chain();
    assert.equal(ids.at(-1), ok.event.eventId);
    assert.deepEqual(ok.event.pdu.prev_events, [before]);
  });

  it("retransmissions get the first attempt's event, before and after its COMMIT", async () => {
    const txn = txnOf(users[0] as string, "same");
    const [a, b] = await Promise.all([local.send(roomId, users[0] as string, message("un"), { txn }), local.send(roomId, users[0] as string, message("un"), { txn })]);
    assert.equal(a.event.eventId, b.event.eventId);
    // committed by now: the retransmission's event_txns insert conflicts, the stored event is answered
    const burst = [local.send(roomId, users[1] as string, message("deux")), local.send(roomId, users[0] as string, message("un"), { txn }), local.send(roomId, users[2] as string, message("trois"))];
    const [, c] = await Promise.all(burst);
    assert.equal(c?.event.eventId, a.event.eventId);
    const ids = await chain();
    assert.equal(ids.filter((id) => id === a.event.eventId).length, 1);
    assert.equal(ids.length, new Set(ids).size);
    assert.equal((await db.all("SELECT 1 FROM events WHERE room_id = ? AND json LIKE '%\"un\"%'", [roomId])).length, 1);
  });

  it("state changes reach the events built after them from the room's tip (membership, power levels)", async () => {
    const [u0, u1, u2] = users as [string, string, string];
    // all queued at once: each built on the tip the one before left
    const leave = local.send(roomId, u0, { type: "m.room.member", stateKey: u0, content: { membership: "leave" } });
    const afterLeave = local.send(roomId, u0, message("parti"));
    const other = local.send(roomId, u1, message("resté"));
    const pl = local.send(roomId, OWNER, { type: "m.room.power_levels", stateKey: "", content: { users: { [OWNER]: 100 }, events_default: 50 } });
    const muted = local.send(roomId, u2, message("muet"));
    await leave;
    await assert.rejects(afterLeave, /M_FORBIDDEN|not joined|membership/i);
    await other;
    await pl;
    await assert.rejects(muted, /power|level|M_FORBIDDEN/i);
    // and once everything committed, from the kept tip
    await assert.rejects(local.send(roomId, u1, message("encore")), /power|level|M_FORBIDDEN/i);
    const ok = await local.send(roomId, OWNER, message("toujours"));
    assert.equal((await chain()).at(-1), ok.event.eventId);
    const state = await db.all<{ event_id: string }>("SELECT event_id FROM current_state WHERE room_id = ? AND type = 'm.room.power_levels'", [roomId]);
    assert.deepEqual(state.map((r) => r.event_id), [(await pl).event.eventId]);
  });

  it("a by-id cache eviction while a build reads its missing events changes nothing (auth still judged with the power levels)", async () => {
    await local.send(roomId, OWNER, { type: "m.room.power_levels", stateKey: "", content: { users: { [OWNER]: 100 }, events_default: 50 } });
    await local.send(roomId, OWNER, message("annonce"));
    // the shared cache full, this room's auth events its least recently used entries
    const cache = (local as unknown as { authEvents: { set(id: string, e: unknown): void; has(id: string): boolean } }).authEvents;
    const dummy = { eventId: "$x", pdu: { type: "x", depth: 1 } };
    for (let n = 0; n < 4096; n++) cache.set(`$fill${n}`, dummy);
    const pl = (await db.one<{ event_id: string }>("SELECT event_id FROM current_state WHERE room_id = ? AND type = 'm.room.power_levels'", [roomId]))?.event_id as string;
    cache.set(pl, (await events.getEvent(pl))?.event);
    for (let n = 0; n < 4095; n++) cache.set(`$fill2-${n}`, dummy);
    assert.ok(cache.has(pl), "the power levels are cached, oldest entry");
    // a federation event took the room's lock: the next build reads the room (its prev event is not cached)
    await lock.run(roomId, async () => undefined);
    // while it reads, other rooms' builds cache events: the power levels are evicted
    const getEvents = events.getEvents.bind(events);
    events.getEvents = async (ids, exec) => {
      const r = await getEvents(ids, exec);
      for (let n = 0; n < 8; n++) cache.set(`$other${n}`, dummy);
      return r;
    };
    await assert.rejects(local.send(roomId, users[1] as string, message("muet")), /power level|M_FORBIDDEN/i);
    // and the owner's message (membership and power levels both needed) still goes, at the right depth
    const ok = await local.send(roomId, OWNER, message("toujours"));
    assert.equal((await chain()).at(-1), ok.event.eventId);
  });

  it("messages leave the room's row alone (no new row version per message); a state event moves its group", async () => {
    const rowVersion = async () => (await other.query<{ xmin: string; g: string }>("SELECT xmin::text AS xmin, current_state_group::text AS g FROM rooms WHERE room_id = $1", [roomId])).rows[0];
    const before = await rowVersion();
    await Promise.all(users.map((u) => local.send(roomId, u, message(`${u} sans état`))));
    await local.send(roomId, OWNER, message("seul"));
    assert.deepEqual(await rowVersion(), before, "xmin and current_state_group unchanged by 11 messages");
    await local.send(roomId, OWNER, { type: "m.room.topic", stateKey: "", content: { topic: "sujet" } });
    const after = await rowVersion();
    assert.notEqual(after?.g, before?.g, "a state event moves the current state group");
    const ok = await local.send(roomId, OWNER, message("après le sujet"));
    assert.equal(String(ok.stateGroup), after?.g, "the next message is built on the new group");
    await chain();
  });

  it("a plain holder of the room's lock starts after the COMMIT of the events built before it", async () => {
    const sends = users.map((u) => local.send(roomId, u, message(`${u} avant`)));
    const plain = lock.run(roomId, async () => events.forwardExtremities(roomId));
    const last = (await Promise.all(sends)).at(-1);
    assert.deepEqual(await plain, [last?.event.eventId]);
    await chain();
  });
});
