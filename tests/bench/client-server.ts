// Initial sync benchmark against a homeserver in a child process (SQLite), and the RSS reader.
import { readFileSync } from "node:fs";
import type { ChildProcess } from "node:child_process";
import { registerUser } from "../harness/homeserver.ts";
import { median, type BenchRow } from "./stats.ts";

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
