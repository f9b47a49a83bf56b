// LocalEvents on a real SQLite file: the action `inTransaction` returns (the federation rows'
// send) runs once the event is durable, before `onPersisted`, and never for an event whose COMMIT
// failed; nothing is kept for such an event, so later events lose no wake-up.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { openDatabase } from "../../storage/open-database.ts";
import type { Database } from "../../storage/sql.ts";
import { EventStore } from "../../storage/event-store.ts";
import { RoomStore } from "../../storage/room-store.ts";
import { generateSigningKey } from "../../room/signing.ts";
import { getRoomVersion } from "../../room/room-versions.ts";
import { systemClock } from "../clock.ts";
import { KeyedLock } from "./room-lock.ts";
import { LocalEvents } from "./local-events.ts";

const ALICE = "@alice:a.test";

describe("LocalEvents after-commit actions", () => {
  let dir: string;
  let db: Database;
  let local: LocalEvents;
  /** [event id, event row visible to another connection (committed)] per action run. */
  let actions: [string, boolean][];
  let persisted: string[];
  let committedRow: (eventId: string) => boolean;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "local-events-"));
    const path = join(dir, "db.sqlite");
    db = await openDatabase({ type: "sqlite", path });
    await db.exec("CREATE TABLE t_parent (id INTEGER PRIMARY KEY); CREATE TABLE t_child (p INTEGER REFERENCES t_parent (id) DEFERRABLE INITIALLY DEFERRED)");
    const reader = new DatabaseSync(path, { readOnly: true });
    committedRow = (id) => reader.prepare("SELECT 1 FROM events WHERE event_id = ?").get(id) !== undefined;
    actions = [];
    persisted = [];
    local = new LocalEvents({
      db, events: new EventStore({ db }), rooms: new RoomStore({ db }), serverName: "a.test", signingKey: generateSigningKey("t"), clock: systemClock, lock: new KeyedLock(),
      inTransaction: async (_tx, e) => () => void actions.push([e.event.eventId, committedRow(e.event.eventId)]),
      onPersisted: (e) => void persisted.push(e.event.eventId),
    });
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs once the event committed, before onPersisted; not at all when its COMMIT failed", async () => {
    const version = getRoomVersion("11");
    if (!version) throw new Error("room version 11");
    const create = await local.createRoomEvent(version, "!r:a.test", ALICE, { room_version: "11", creator: ALICE });
    const join = await local.send(create.roomId, ALICE, { type: "m.room.member", stateKey: ALICE, content: { membership: "join" } });
    assert.deepEqual(actions, [[create.event.eventId, true], [join.event.eventId, true]]);
    assert.deepEqual(persisted, [create.event.eventId, join.event.eventId]);
    // a message sharing its group with a body whose deferred foreign key fails the COMMIT
    const failing = local.send(create.roomId, ALICE, { type: "m.room.message", content: { msgtype: "m.text", body: "perdu" } });
    const orphan = db.stage!((tx) => tx.run("INSERT INTO t_child (p) VALUES (1)"));
    await assert.rejects(failing, /FOREIGN KEY/);
    await assert.rejects(orphan.committed, /FOREIGN KEY/);
    assert.equal(actions.length, 2, "no action for the rolled-back event");
    const next = await local.send(create.roomId, ALICE, { type: "m.room.message", content: { msgtype: "m.text", body: "reçu" } });
    assert.deepEqual(actions.at(-1), [next.event.eventId, true]);
    assert.deepEqual(persisted.at(-1), next.event.eventId);
  });

  it("builds a room's next events without reading their prev and auth events again (SQLite)", async () => {
    const version = getRoomVersion("11");
    if (!version) throw new Error("room version 11");
    const read: string[][] = [];
    class CountingEvents extends EventStore {
      override getEvents(ids: readonly string[], exec?: Parameters<EventStore["getEvents"]>[1]): ReturnType<EventStore["getEvents"]> {
        read.push([...ids]);
        return super.getEvents(ids, exec);
      }
    }
    const counted = new LocalEvents({
      db, events: new CountingEvents({ db }), rooms: new RoomStore({ db }), serverName: "a.test", signingKey: generateSigningKey("t"), clock: systemClock, lock: new KeyedLock(),
      onPersisted: () => undefined,
    });
    const create = await counted.createRoomEvent(version, "!c:a.test", ALICE, { room_version: "11", creator: ALICE });
    await counted.send(create.roomId, ALICE, { type: "m.room.member", stateKey: ALICE, content: { membership: "join" } });
    read.length = 0;
    const sent = [];
    for (let i = 0; i < 3; i++) sent.push(await counted.send(create.roomId, ALICE, { type: "m.room.message", content: { msgtype: "m.text", body: `m${i}` } }));
    assert.deepEqual(read, [], "the create, membership and previous message came from memory");
    assert.deepEqual(sent.map((e) => e.event.pdu.depth), [3, 4, 5]);
    assert.deepEqual(sent[2]?.event.pdu.prev_events, [sent[1]?.event.eventId]);
  });
});
