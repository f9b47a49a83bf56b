// `node tests/bench/woken-sync.ts [--db postgres|sqlite] [--samples 300] [--rooms 21] [--readers 1] [--list]`: the /sync of a
// woken long-poll alone, in process (no probe client on the CPUs, no long-poll wake-up): a member
// of `--rooms` rooms syncs from the token before each new message of another member, one message
// at a time, after the message's push evaluation is done (the /sync does not wait for it). Prints
// one JSON line: the /sync's wall time p50/p90 (request to parsed answer, over loopback HTTP), the
// process CPU per /sync (user + system, the server's whole process: HTTP, /sync, its SQL client),
// and the SQL statements per /sync on the server's database port. Alternate two trees (git
// worktree) to compare: docs/perf/postgres-path.md (session pgsync). `--readers N`: N members sync
// from their tokens at once after each message (the fan-out; room deltas asked, read and read from
// the positions' events per /sync); `--list`: each statement's text and count per /sync on stderr.
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { SqlValue } from "../../homeserver/src/storage/sql.ts";
import { registerUser, startTestHomeserver } from "../harness/homeserver.ts";
import { roomDeltaStats } from "../../homeserver/src/server/sync/room-delta-cache.ts";

const { values } = parseArgs({ options: { db: { type: "string" }, samples: { type: "string" }, rooms: { type: "string" }, list: { type: "boolean" }, readers: { type: "string" } } });
const db = values.db === "sqlite" ? "sqlite" : "postgres";
const samples = Number(values.samples ?? 300);
const roomCount = Number(values.rooms ?? 21);
const readerCount = Number(values.readers ?? 1);
const loadBefore = loadavg();
const t = await startTestHomeserver({ db });
try {
  const api = async (token: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(`${t.url}/_matrix/client/v3${path}`, { method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const readers = [];
  for (let i = 0; i < readerCount; i++) readers.push(await registerUser(t.url, `lecteur${i}`));
  const sender = await registerUser(t.url, "auteur");
  const rooms: string[] = [];
  for (let i = 0; i < roomCount; i++) {
    const roomId = String((await api(sender.accessToken, "POST", "/createRoom", { preset: "public_chat" }))["room_id"]);
    for (const reader of readers) await api(reader.accessToken, "POST", `/join/${encodeURIComponent(roomId)}`, {});
    rooms.push(roomId);
  }
  const room = rooms[0] ?? "";
  const tokens: string[] = [];
  for (const reader of readers) tokens.push(String((await api(reader.accessToken, "GET", "/sync?timeout=0"))["next_batch"]));
  // statements on the database port while a /sync runs
  const database = t.hs.context.db;
  let counting = false;
  let statements = 0;
  const texts = new Map<string, number>();
  for (const m of ["all", "one", "run"] as const) {
    const orig = database[m].bind(database) as (sql: string, params?: readonly SqlValue[]) => Promise<unknown>;
    (database as unknown as Record<string, unknown>)[m] = (sql: string, params?: readonly SqlValue[]) => {
      if (counting) {
        statements++;
        if (values.list === true) texts.set(sql, (texts.get(sql) ?? 0) + 1);
      }
      return orig(sql, params);
    };
  }
  const push = t.hs.context.push as unknown as { processor: { catchUp(upTo: number): Promise<void> } };
  const wall: number[] = [];
  const delta = { calls: 0, reads: 0, fromRange: 0 };
  let cpu = 0;
  for (let i = 0; i < samples + 20; i++) {
    const sent = await api(sender.accessToken, "PUT", `/rooms/${encodeURIComponent(room)}/send/m.room.message/w${i}`, { msgtype: "m.text", body: `message ${i}` });
    const stream = await t.hs.context.stores.events.streamOf(String(sent["event_id"]));
    await push.processor.catchUp(stream ?? 0);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    counting = i >= 20;
    const delta0 = { ...roomDeltaStats };
    // every reader woken by the message syncs from its token at once (--readers: the fan-out)
    const bodies = await Promise.all(readers.map((reader, r) => api(reader.accessToken, "GET", `/sync?timeout=0&since=${encodeURIComponent(tokens[r] ?? "")}`)));
    counting = false;
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    bodies.forEach((body, r) => {
      tokens[r] = String(body["next_batch"]);
      if (!JSON.stringify(body).includes(String(sent["event_id"]))) throw new Error("the /sync did not hold the message");
    });
    if (i < 20) continue; // warm-up
    for (const k of ["calls", "reads", "fromRange"] as const) delta[k] += roomDeltaStats[k] - delta0[k];
    wall.push(ms);
    cpu += (c.user + c.system) / 1000;
  }
  wall.sort((a, b) => a - b);
  for (const [sql, n] of texts) process.stderr.write(`${(n / (samples * readerCount)).toFixed(2)}\t${sql.replace(/\s+/g, " ").slice(0, 300)}\n`);
  const q = (f: number): number => Math.round((wall[Math.min(wall.length - 1, Math.floor(f * wall.length))] ?? 0) * 100) / 100;
  const syncs = samples * readerCount;
  process.stdout.write(JSON.stringify({
    db, samples, rooms: roomCount, readers: readerCount, p50: q(0.5), p90: q(0.9), cpuMsPerSync: Math.round((cpu / syncs) * 100) / 100,
    statementsPerSync: Math.round((statements / syncs) * 100) / 100,
    // room deltas asked per /sync, read (cache misses) and of those read from the positions' events (event-range.ts)
    roomDeltas: { perSync: Math.round((delta.calls / syncs) * 100) / 100, readsPerSync: Math.round((delta.reads / syncs) * 100) / 100, fromRangePerSync: Math.round((delta.fromRange / syncs) * 100) / 100 },
    loadavgBefore: loadBefore, loadavgAfter: loadavg(),
  }) + "\n");
} finally {
  await t.stop();
}
