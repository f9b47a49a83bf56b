// `node tests/bench/room-writer.ts [--seconds 5] [--senders 20] [--rooms 1]`: LocalEvents alone on a
// fresh PostgreSQL database (no HTTP, no push, no /sync): N senders each send messages one after
// the other into the same room (or spread over --rooms rooms). Prints events/s, CPU per event,
// COMMITs (groups) per event and the DAG check (each event's prev_events = the room's previous one).
// `--census`: also the statements handed to node-postgres and the socket writes (every database
// socket of the process) per event during the run.
import net from "node:net";
import { loadavg } from "node:os";
import pg from "pg";
import { parseArgs } from "node:util";
import { openDatabase } from "../../homeserver/src/storage/open-database.ts";
import { EventStore } from "../../homeserver/src/storage/event-store.ts";
import { RoomStore } from "../../homeserver/src/storage/room-store.ts";
import { generateSigningKey } from "../../homeserver/src/room/signing.ts";
import { getRoomVersion } from "../../homeserver/src/room/room-versions.ts";
import { systemClock } from "../../homeserver/src/server/clock.ts";
import { KeyedLock } from "../../homeserver/src/server/rooms/room-lock.ts";
import { LocalEvents } from "../../homeserver/src/server/rooms/local-events.ts";
import { freshDatabase } from "../harness/postgres.ts";

const { values } = parseArgs({ options: { seconds: { type: "string" }, senders: { type: "string" }, rooms: { type: "string" }, census: { type: "boolean" } } });
const seconds = Number(values.seconds ?? 5);
const senders = Number(values.senders ?? 20);
const roomCount = Number(values.rooms ?? 1);
const fresh = await freshDatabase();
const db = await openDatabase({ type: "postgres", url: fresh.url });
try {
  const version = getRoomVersion("11");
  if (!version) throw new Error("room version 11");
  const local = new LocalEvents({
    db, events: new EventStore({ db }), rooms: new RoomStore({ db }), serverName: "a.test", signingKey: generateSigningKey("t"), clock: systemClock,
    lock: new KeyedLock(), onPersisted: () => undefined,
  });
  const users = Array.from({ length: senders }, (_, i) => `@u${i}:a.test`);
  const rooms: string[] = [];
  for (let r = 0; r < roomCount; r++) {
    const owner = users[0] as string;
    const create = await local.createRoomEvent(version, `!r${r}:a.test`, owner, { room_version: "11", creator: owner });
    const roomId = create.roomId;
    await local.send(roomId, owner, { type: "m.room.member", stateKey: owner, content: { membership: "join" } });
    await local.send(roomId, owner, { type: "m.room.power_levels", stateKey: "", content: { users: { [owner]: 100 }, events_default: 0 } });
    await local.send(roomId, owner, { type: "m.room.join_rules", stateKey: "", content: { join_rule: "public" } });
    for (const u of users.slice(1)) await local.send(roomId, u, { type: "m.room.member", stateKey: u, content: { membership: "join" } });
    rooms.push(roomId);
  }
  const census = { statements: 0, writes: 0 };
  if (values.census) countCalls(census);
  const c0 = { ...census };
  const g0 = db.groupStats?.() ?? { groups: 0, transactions: 0 };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let sent = 0;
  await Promise.all(users.map(async (u, i) => {
    const roomId = rooms[i % rooms.length] as string;
    for (let n = 0; performance.now() < end; n++) {
      await local.send(roomId, u, { type: "m.room.message", content: { msgtype: "m.text", body: `${u} ${n}` } }, { txn: { userId: u, deviceId: "D", path: `/rooms/${roomId}/send/m.room.message`, txnId: `t${n}` } });
      sent++;
    }
  }));
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const g1 = db.groupStats?.() ?? { groups: 0, transactions: 0 };
  const counted = { statements: census.statements - c0.statements, writes: census.writes - c0.writes };
  // the DAG: in each room, every event's prev_events is exactly the event before it
  let broken = 0;
  for (const roomId of rooms) {
    const rows = await db.all<{ event_id: string; json: string }>("SELECT event_id, json FROM events WHERE room_id = ? ORDER BY stream_ordering", [roomId]);
    for (let i = 1; i < rows.length; i++) {
      const prev = (JSON.parse(rows[i]?.json ?? "{}") as { prev_events: string[] }).prev_events;
      if (prev.length !== 1 || prev[0] !== rows[i - 1]?.event_id) broken++;
    }
  }
  console.log(JSON.stringify({
    senders, rooms: roomCount, events: sent, eventsPerSecond: Math.round(sent / wall), cpuMsPerEvent: +(((cpu.user + cpu.system) / 1000) / sent).toFixed(3),
    commitsPerEvent: +((g1.groups - g0.groups) / sent).toFixed(3), dagBroken: broken,
    ...(values.census ? { statementsPerEvent: +(counted.statements / sent).toFixed(3), socketWritesPerEvent: +(counted.writes / sent).toFixed(3) } : {}), loadavg: loadavg().map((l) => +l.toFixed(2)),
  }));
} finally {
  await db.close();
  await fresh.drop();
}

/** Counts node-postgres queries and socket writes from now on (the process's every client and socket). */
function countCalls(census: { statements: number; writes: number }): void {
  const query = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  Object.defineProperty(pg.Client.prototype, "query", {
    configurable: true, writable: true,
    value: function (this: pg.Client, ...a: unknown[]): unknown {
      census.statements++;
      return query.apply(this, a);
    },
  });
  const proto = net.Socket.prototype as unknown as Record<string, ((...a: unknown[]) => unknown) | undefined>;
  for (const m of ["_write", "_writev"]) {
    const orig = proto[m];
    if (!orig) continue;
    Object.defineProperty(net.Socket.prototype, m, {
      configurable: true, writable: true,
      value: function (this: net.Socket, ...a: unknown[]): unknown {
        census.writes++;
        return orig.apply(this, a);
      },
    });
  }
}
