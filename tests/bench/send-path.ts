// `node tests/bench/send-path.ts [EVENTS]`: LocalEvents.send alone (build, hash, sign, auth, the
// event's writes, group commit with synchronous = FULL) on a fresh SQLite file, no HTTP, push
// evaluation or wake-ups: 20 senders sending concurrently into one 21-member room, with
// transaction ids as the client API passes them; CPU (user, system) per event and events/s for 3
// rounds of EVENTS (default 3,000). The send path's share of the council's CPU per event.
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../homeserver/src/storage/open-database.ts";
import { EventStore } from "../../homeserver/src/storage/event-store.ts";
import { RoomStore } from "../../homeserver/src/storage/room-store.ts";
import { generateSigningKey } from "../../homeserver/src/room/signing.ts";
import { getRoomVersion } from "../../homeserver/src/room/room-versions.ts";
import { systemClock } from "../../homeserver/src/server/clock.ts";
import { KeyedLock } from "../../homeserver/src/server/rooms/room-lock.ts";
import { LocalEvents } from "../../homeserver/src/server/rooms/local-events.ts";

const N = Number(process.argv[2] ?? "3000");
const dir = mkdtempSync(join(tmpdir(), "send-path-"));
const db = await openDatabase({ type: "sqlite", path: join(dir, "db.sqlite") });
const local = new LocalEvents({ db, events: new EventStore({ db }), rooms: new RoomStore({ db }), serverName: "a.test", signingKey: generateSigningKey("t"), clock: systemClock, lock: new KeyedLock(), onPersisted: () => undefined });
const v = getRoomVersion("11");
if (!v) throw new Error("room version 11");
const A = "@alice:a.test";
const create = await local.createRoomEvent(v, "!r:a.test", A, { room_version: "11", creator: A });
const users = Array.from({ length: 20 }, (_, i) => `@u${i}:a.test`);
await local.send(create.roomId, A, { type: "m.room.member", stateKey: A, content: { membership: "join" } });
await local.send(create.roomId, A, { type: "m.room.power_levels", stateKey: "", content: { users: { [A]: 100 }, events_default: 0 } });
await local.send(create.roomId, A, { type: "m.room.join_rules", stateKey: "", content: { join_rule: "public" } });
for (const u of users) await local.send(create.roomId, u, { type: "m.room.member", stateKey: u, content: { membership: "join" } });
for (let round = 0; round < 3; round++) {
  const t0 = process.cpuUsage(); const w0 = performance.now();
  let n = 0;
  await Promise.all(users.map(async (u, i) => {
    for (let k = 0; k < N / 20; k++) {
      await local.send(create.roomId, u, { type: "m.room.message", content: { msgtype: "m.text", body: `débit ${k}` } }, { txn: { userId: u, deviceId: "D", path: "/send", txnId: `${round}-${i}-${k}` } });
      n++;
    }
  }));
  const c = process.cpuUsage(t0);
  process.stdout.write(JSON.stringify({ round, events: n, userUsPerEvent: Math.round(c.user / n), systemUsPerEvent: Math.round(c.system / n), eventsPerS: Math.round(n / ((performance.now() - w0) / 1000)), load: loadavg()[0] }) + "\n");
}
await db.close();
rmSync(dir, { recursive: true, force: true });
