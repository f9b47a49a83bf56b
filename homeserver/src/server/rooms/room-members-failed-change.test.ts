// A state event whose transaction fails (its body, or its group's COMMIT) must not leave its room's
// members out of the cache for good (rooms/room-members.ts): RoomMembers neither serves nor keeps
// a room with a change in flight, and only the announcement (`changed`) ended it, which a failed
// change never gets. LocalEvents on a real SQLite file; the COMMIT is failed by a body sharing the
// group (a deferred foreign key).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../storage/open-database.ts";
import type { Database } from "../../storage/sql.ts";
import { EventStore } from "../../storage/event-store.ts";
import { RoomStore } from "../../storage/room-store.ts";
import { generateSigningKey } from "../../room/signing.ts";
import { getRoomVersion } from "../../room/room-versions.ts";
import { systemClock } from "../clock.ts";
import { KeyedLock } from "./room-lock.ts";
import { LocalEvents } from "./local-events.ts";
import { RoomMembers } from "./room-members.ts";

const ALICE = "@alice:a.test";

describe("room members cache after a failed membership change", () => {
  let dir: string;
  let db: Database;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "room-members-"));
    db = await openDatabase({ type: "sqlite", path: join(dir, "db.sqlite") });
    await db.exec("CREATE TABLE t_parent (id INTEGER PRIMARY KEY); CREATE TABLE t_child (p INTEGER REFERENCES t_parent (id) DEFERRABLE INITIALLY DEFERRED)");
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the room's members again once the failed change is over", async () => {
    const rooms = new RoomStore({ db });
    const members = new RoomMembers({ rooms });
    const local = new LocalEvents({
      db, events: new EventStore({ db }), rooms, serverName: "a.test", signingKey: generateSigningKey("t"), clock: systemClock, lock: new KeyedLock(),
      onChanging: (roomId, eventId) => members.changing(roomId, eventId),
      onChangeFailed: (roomId, eventId) => members.changed(roomId, eventId),
      onPersisted: (e) => members.changed(e.roomId, e.event.eventId),
    });
    const version = getRoomVersion("11");
    if (!version) throw new Error("room version 11");
    const { roomId } = await local.createRoomEvent(version, "!r:a.test", ALICE, { room_version: "11", creator: ALICE });
    await local.send(roomId, ALICE, { type: "m.room.member", stateKey: ALICE, content: { membership: "join" } });
    await local.send(roomId, ALICE, { type: "m.room.join_rules", stateKey: "", content: { join_rule: "public" } });
    const kept = await members.read(roomId);
    assert.ok(members.at(roomId, kept.group), "kept before");
    // Bob's join shares its group with a body whose deferred foreign key fails the COMMIT
    const failing = local.send(roomId, "@bob:a.test", { type: "m.room.member", stateKey: "@bob:a.test", content: { membership: "join" } });
    const orphan = db.stage?.((tx) => tx.run("INSERT INTO t_child (p) VALUES (1)"));
    await assert.rejects(failing, /FOREIGN KEY/);
    await assert.rejects(orphan?.committed ?? Promise.reject(new Error("FOREIGN KEY")), /FOREIGN KEY/);
    const after = await members.read(roomId);
    assert.deepEqual(after.wake, [ALICE], "Bob's failed join is not a member");
    assert.ok(members.at(roomId, after.group), "the room's members are kept again after the failed change");
  });
});
