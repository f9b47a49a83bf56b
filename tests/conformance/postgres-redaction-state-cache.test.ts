// The serialised-state cache (GET /rooms/{id}/state) and a redaction on PostgreSQL: the redaction's
// body bumps the event store's redaction epoch before its COMMIT, and a pooled read made meanwhile
// (another agent's GET /state) does not see the open transaction: it reads the unredacted event and
// caches it under the new epoch. Once the redaction committed, that entry must not be served.
import assert from "node:assert/strict";
import { openDatabase } from "../../homeserver/src/storage/open-database.ts";
import type { Database } from "../../homeserver/src/storage/sql.ts";
import { EventStore } from "../../homeserver/src/storage/event-store.ts";
import { RoomStore } from "../../homeserver/src/storage/room-store.ts";
import { generateSigningKey } from "../../homeserver/src/room/signing.ts";
import { getRoomVersion } from "../../homeserver/src/room/room-versions.ts";
import { systemClock } from "../../homeserver/src/server/clock.ts";
import { KeyedLock } from "../../homeserver/src/server/rooms/room-lock.ts";
import { LocalEvents } from "../../homeserver/src/server/rooms/local-events.ts";
import { SerializedStateCache } from "../../homeserver/src/server/rooms/serialized-state.ts";
import { freshDatabase, requirePostgres } from "../harness/postgres.ts";

const OWNER = "@owner:a.test";

describe("PostgreSQL: a redacted state event is not served from the /state cache", function () {
  this.timeout(60_000);
  let db: Database | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await db?.close();
    await drop?.();
  });

  it("a /state read made between the redaction's body and its COMMIT is not kept", async function () {
    await requirePostgres(this);
    const fresh = await freshDatabase();
    drop = fresh.drop;
    db = await openDatabase({ type: "postgres", url: fresh.url });
    const events = new EventStore({ db });
    const rooms = new RoomStore({ db });
    const version = getRoomVersion("11");
    if (!version) throw new Error("room version 11");
    const cache = new SerializedStateCache({ events, maxBytes: 64 * 1024 * 1024 });
    let roomId = "!r:a.test";
    const readState = async (): Promise<string> => {
      const group = (await rooms.getRoom(roomId))?.currentStateGroup;
      if (group === undefined) throw new Error("no state");
      let out = "";
      for await (const s of cache.slices(group, [...(await events.stateMapOfGroup(group)).values()], version, () => Date.now())) out += s.join("");
      return out;
    };
    let duringBody: string | undefined;
    const local = new LocalEvents({
      db, events, rooms, serverName: "a.test", signingKey: generateSigningKey("t"), clock: systemClock, lock: new KeyedLock(),
      // inside the redaction's body, after markRedacted: another request reads the room's state
      inTransaction: async (_tx, e) => {
        if (e.event.pdu.type === "m.room.redaction") duringBody = await readState();
      },
      onPersisted: () => undefined,
    });
    roomId = (await local.createRoomEvent(version, roomId, OWNER, { room_version: "11", creator: OWNER })).roomId;
    await local.send(roomId, OWNER, { type: "m.room.member", stateKey: OWNER, content: { membership: "join" } });
    await local.send(roomId, OWNER, { type: "m.room.power_levels", stateKey: "", content: { users: { [OWNER]: 100 } } });
    const topic = await local.send(roomId, OWNER, { type: "m.room.topic", stateKey: "", content: { topic: "SUJET CONFIDENTIEL" } });
    assert.match(await readState(), /SUJET CONFIDENTIEL/);
    await local.send(roomId, OWNER, { type: "m.room.redaction", content: { redacts: topic.event.eventId } });
    assert.match(duringBody ?? "", /SUJET CONFIDENTIEL/, "the read during the body saw the open transaction's outside (the race this test is about)");
    assert.doesNotMatch(await readState(), /SUJET CONFIDENTIEL/, "after the COMMIT the redacted topic is not served");
  });
});
