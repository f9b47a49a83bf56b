// `node tests/bench/muted-room-sync.ts [--sets K] [--db sqlite|postgres]`: what a busy room a
// reader muted (room rule dont_notify) costs each of their /syncs when they are in many recipient
// sets of it (review R13: each message of a mentions-only room mentioning them and others makes a
// set; sets are never deleted). Test homeserver in process: alice, bob and 10 members; K messages
// (default 1,000, at most 1,024) each mention bob and a distinct subset of the 10 (K sets holding
// bob); bob reads up to the last; 300 plain messages (bob's count is 0 over more than 256
// positions: a count there probes every set of his in the room). Then 21 times: alice sends one
// more, bob runs an incremental /sync (timeout=0). Prints the process CPU (user + system) per
// send + /sync (median, min) and the push count statements bob's /syncs read (all 21).
import { parseArgs } from "node:util";
import { startTestHomeserver, registerUser, type DbKind } from "../harness/homeserver.ts";
import { aliceAndBobInPublicRoom } from "../harness/public-room.ts";
import { onEveryRead } from "../harness/sql-reads.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({ options: { sets: { type: "string" }, db: { type: "string" } } });
const K = Math.min(1024, Number(values.sets ?? "1000"));
const db: DbKind = values.db === "postgres" ? "postgres" : "sqlite";
const hs = await startTestHomeserver({ db });
try {
  const { alice, bob, roomId } = await aliceAndBobInPublicRoom(hs.url);
  const C = `${hs.url}/_matrix/client/v3`;
  const enc = encodeURIComponent;
  const req = async <T = Record<string, unknown>>(token: string, method: string, path: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${C}${path}`, { method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return await r.json() as T;
  };
  await req(bob.accessToken, "PUT", `/pushrules/global/room/${enc(roomId)}`, { actions: ["dont_notify"] });
  const members = [];
  for (let i = 0; i < 10; i++) members.push(await registerUser(hs.url, `membre${i}`));
  for (const m of members) await req(m.accessToken, "POST", `/join/${enc(roomId)}`, {});
  let n = 0;
  let lastId = "";
  for (let k = 0; k < K; k++) {
    const ids = [bob.userId, ...members.filter((_, i) => (k >> i) & 1).map((m) => m.userId)];
    lastId = (await req<{ event_id: string }>(alice.accessToken, "PUT", `/rooms/${enc(roomId)}/send/m.room.message/m${n++}`, { msgtype: "m.text", body: `bob ${k}`, "m.mentions": { user_ids: ids } })).event_id;
  }
  await req(bob.accessToken, "POST", `/rooms/${enc(roomId)}/receipt/m.read/${enc(lastId)}`, {});
  for (let b = 0; b < 300; b += 20) {
    await Promise.all(Array.from({ length: 20 }, () => req(alice.accessToken, "PUT", `/rooms/${enc(roomId)}/send/m.room.message/t${n++}`, { msgtype: "m.text", body: `message ${n}` })));
  }
  let since = (await req<{ next_batch: string }>(bob.accessToken, "GET", "/sync?timeout=0")).next_batch;
  let reads: string[] | undefined;
  onEveryRead(hs.hs.context.db, () => reads);
  const cpu: number[] = [];
  let counts = 0;
  let unread = "";
  for (let i = 0; i < 21; i++) {
    const c0 = process.cpuUsage();
    await req(alice.accessToken, "PUT", `/rooms/${enc(roomId)}/send/m.room.message/x${i}`, { msgtype: "m.text", body: `x${i}` });
    reads = [];
    const r = await req<{ next_batch: string; rooms?: { join?: Record<string, { unread_notifications?: unknown }> } }>(bob.accessToken, "GET", `/sync?timeout=0&since=${since}`);
    counts += reads.filter((q) => /push_actions_by_event|push_recipient_sets/.test(q)).length;
    reads = undefined;
    since = r.next_batch;
    const d = process.cpuUsage(c0);
    cpu.push((d.user + d.system) / 1000);
    unread = JSON.stringify(r.rooms?.join?.[roomId]?.unread_notifications ?? "absent");
  }
  const sets = await hs.hs.context.db.one<{ n: number }>("SELECT COUNT(*) AS n FROM push_recipient_sets WHERE user_id = ? AND room_id = ?", [bob.userId, roomId]);
  console.log(`${db}, bob in ${Number(sets?.n)} sets of the muted room: CPU per send + bob's /sync median ${median(cpu).toFixed(2)} ms (min ${Math.min(...cpu).toFixed(2)}); push count statements in bob's 21 /syncs: ${counts}; last unread_notifications ${unread}`);
} finally {
  await hs.stop();
}
process.exit(0);
