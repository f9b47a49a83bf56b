// `node tests/bench/send-path-lone.ts [EVENTS] [ROUNDS]`: LocalEvents.send alone, as send-path.ts,
// but one message at a time (each awaited, so each is the only body of its group: the lone
// sample's send path): build, hash, sign, auth, the event's writes and a COMMIT with
// synchronous = FULL on a fresh SQLite file, 20 senders in turn into one 21-member room, with
// transaction ids. CPU (user, system) per event for ROUNDS rounds of EVENTS (default 1,000 × 5);
// alternate two trees (git worktree) and compare the rounds' minimum.
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

const N = Number(process.argv[2] ?? "1000");
const ROUNDS = Number(process.argv[3] ?? "5");
const dir = mkdtempSync(join(tmpdir(), "send-path-lone-"));
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
const perEvent: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const t0 = process.cpuUsage();
  const w0 = performance.now();
  for (let k = 0; k < N; k++) {
    const u = users[k % 20]!;
    await local.send(create.roomId, u, { type: "m.room.message", content: { msgtype: "m.text", body: `seul ${k}` } }, { txn: { userId: u, deviceId: "D", path: "/send", txnId: `${round}-${k}` } });
  }
  const c = process.cpuUsage(t0);
  perEvent.push((c.user + c.system) / N);
  process.stdout.write(JSON.stringify({ round, events: N, userUsPerEvent: Math.round(c.user / N), systemUsPerEvent: Math.round(c.system / N), eventsPerS: Math.round(N / ((performance.now() - w0) / 1000)), load: loadavg()[0] }) + "\n");
}
process.stdout.write(JSON.stringify({ minCpuUsPerEvent: Math.round(Math.min(...perEvent)) }) + "\n");
await db.close();
rmSync(dir, { recursive: true, force: true });
