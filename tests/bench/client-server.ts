// Issue 3 benchmarks against a homeserver in a child process (SQLite), so its RSS is its own.
import { readFileSync } from "node:fs";
import type { ChildProcess } from "node:child_process";
import { registerUser } from "../harness/homeserver.ts";
import { median, percentile, type BenchRow } from "./stats.ts";

type Session = { userId: string; accessToken: string };

async function api(url: string, s: Session, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url + path, { method, headers: { Authorization: `Bearer ${s.accessToken}`, "Content-Type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export function rssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "0");
  return kb / 1024;
}

let txn = 0;
const send = (url: string, s: Session, roomId: string, body: string): Promise<Record<string, unknown>> =>
  api(url, s, "PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/b${txn++}`, { msgtype: "m.text", body });

async function createSharedRoom(url: string, a: Session, others: Session[]): Promise<string> {
  const { room_id } = await api(url, a, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" });
  for (const o of others) await api(url, o, "POST", `/_matrix/client/v3/join/${encodeURIComponent(String(room_id))}`, {});
  return String(room_id);
}

export async function deliveryLatency(url: string, iterations: number): Promise<BenchRow[]> {
  const alice = await registerUser(url, "lat_alice");
  const bob = await registerUser(url, "lat_bob");
  const roomId = await createSharedRoom(url, alice, [bob]);
  let since = String((await api(url, bob, "GET", "/_matrix/client/v3/sync?timeout=0"))["next_batch"]);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const body = `ping ${i}`;
    const start = performance.now();
    const poll = (async () => {
      for (;;) {
        const r = await api(url, bob, "GET", `/_matrix/client/v3/sync?timeout=5000&since=${since}`);
        since = String(r["next_batch"]);
        const join = (r["rooms"] as { join: Record<string, { timeline: { events: { content: { body?: string } }[] } }> }).join;
        if (join[roomId]?.timeline.events.some((e) => e.content.body === body)) return performance.now();
      }
    })();
    await send(url, alice, roomId, body);
    samples.push((await poll) - start);
  }
  return [
    { name: "send→/sync delivery p50", value: median(samples), unit: "ms", target: "≤ 10 ms", met: median(samples) <= 10 },
    { name: "send→/sync delivery p99", value: percentile(samples, 99), unit: "ms", target: "", },
  ];
}

export async function sustainedSends(url: string, senders: number, perSender: number): Promise<{ row: BenchRow; rssUnderLoad: () => number }> {
  const users: Session[] = [];
  for (let i = 0; i < senders; i++) users.push(await registerUser(url, `load_${i}`));
  const [first, ...rest] = users;
  const roomId = await createSharedRoom(url, first!, rest);
  const start = performance.now();
  await Promise.all(users.map(async (u) => {
    for (let i = 0; i < perSender; i++) await send(url, u, roomId, `load ${i}`);
  }));
  const seconds = (performance.now() - start) / 1000;
  const rate = (senders * perSender) / seconds;
  return { row: { name: `sustained sends (${senders} senders)`, value: rate, unit: "events/s", target: "≥ 1000", met: rate >= 1000 }, rssUnderLoad: () => 0 };
}

export async function initialSync(url: string, rooms: number, messages: number, runs: number): Promise<BenchRow> {
  const u = await registerUser(url, "sync_user");
  const creates: Promise<void>[] = [];
  for (let r = 0; r < rooms; r++) {
    creates.push((async () => {
      const { room_id } = await api(url, u, "POST", "/_matrix/client/v3/createRoom", { name: `Salle ${r}` });
      for (let m = 0; m < messages; m++) await send(url, u, String(room_id), `message ${m}`);
    })());
    if (creates.length >= 8) await Promise.all(creates.splice(0));
  }
  await Promise.all(creates);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const r = await api(url, u, "GET", "/_matrix/client/v3/sync?timeout=0");
    samples.push(performance.now() - start);
    const n = Object.keys((r["rooms"] as { join: object }).join).length;
    if (n !== rooms) throw new Error(`initial sync returned ${n} rooms`);
  }
  return { name: `initial sync ${rooms} rooms × ${messages} msgs`, value: median(samples), unit: "ms", target: "≤ 300 ms", met: median(samples) <= 300 };
}
