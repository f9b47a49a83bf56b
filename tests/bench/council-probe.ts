// The probe of issue 16, what a client of a council sees: a public room (events_default 0) with 22
// joined members (an owner, a reader, 20 senders). Latency: the reader long-polls /sync from its
// last next_batch, 15 ms later a sender PUTs a message; the sample runs from the PUT's start to the
// reader's /sync response holding it. Throughput: 20 senders each send sequentially (await each
// PUT) for a fixed time while the reader keeps syncing; the 200s are counted.
import { readFileSync } from "node:fs";
import { registerUser } from "../harness/homeserver.ts";
import { median, percentile } from "./stats.ts";

export type Session = { userId: string; accessToken: string };

/**
 * latency-breakdown.ts only: when set, the probe's client stamps its steps here (name, ms on the
 * monotonic clock every process shares), to line them up with the councils' marks.
 */
export const clientTrace: { marks: [string, number][] | undefined } = { marks: undefined };
const mark = (name: string): void => void clientTrace.marks?.push([name, Number(process.hrtime.bigint()) / 1e6]);
type SyncBody = { next_batch: string; rooms?: { join?: Record<string, { timeline?: { events?: { content?: { body?: unknown } }[] } }> } };

export async function api<T = Record<string, unknown>>(url: string, s: Session, method: string, path: string, body?: unknown, step?: string): Promise<T> {
  if (step) mark(`${step}.call`);
  const res = await fetch(url + path, {
    method, headers: { Authorization: `Bearer ${s.accessToken}`, "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (step) mark(`${step}.headers`);
  const json = (await res.json()) as T;
  if (step) mark(`${step}.parsed`);
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

let txn = 0;
const sendPath = (roomId: string): string => `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/p${process.pid}_${txn++}`;
export const sendText = (url: string, s: Session, roomId: string, body: string): Promise<unknown> =>
  api(url, s, "PUT", sendPath(roomId), { msgtype: "m.text", body }, "c.put");

export interface ProbeRoom {
  url: string;
  owner: Session;
  reader: Session;
  senders: Session[];
  roomId: string;
  /** One room per sender (its owner), the reader joined to each: the 20-rooms throughput. */
  ownRooms: string[];
}

const createPublic = async (url: string, owner: Session, name: string): Promise<string> =>
  (await api<{ room_id: string }>(url, owner, "POST", "/_matrix/client/v3/createRoom", {
    preset: "public_chat", name, power_level_content_override: { events_default: 0 },
  })).room_id;
const join = (url: string, s: Session, roomId: string): Promise<unknown> =>
  api(url, s, "POST", `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {});

/** Registers the 22 members and builds the shared room and the 20 single-sender rooms. */
export async function setUpProbeRoom(url: string, tag: string): Promise<ProbeRoom> {
  const owner = await registerUser(url, `${tag}_owner`);
  const reader = await registerUser(url, `${tag}_reader`);
  const senders: Session[] = [];
  for (let i = 0; i < 20; i++) senders.push(await registerUser(url, `${tag}_sender${i}`));
  const roomId = await createPublic(url, owner, "Probe");
  for (const s of [reader, ...senders]) await join(url, s, roomId);
  const ownRooms: string[] = [];
  for (const [i, s] of senders.entries()) {
    const r = await createPublic(url, s, `Probe ${i}`);
    await join(url, reader, r);
    ownRooms.push(r);
  }
  return { url, owner, reader, senders, roomId, ownRooms };
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The reader's long-poll loop until a /sync holds `body` in `roomId`; resolves with that instant. */
async function readerSees(url: string, reader: Session, since: { token: string }, roomId: string, body: string): Promise<number> {
  for (;;) {
    const r = await api<SyncBody>(url, reader, "GET", `/_matrix/client/v3/sync?timeout=10000&since=${since.token}`, undefined, "c.sync");
    since.token = r.next_batch;
    if (r.rooms?.join?.[roomId]?.timeline?.events?.some((e) => e.content?.body === body)) {
      mark("c.seen");
      return performance.now();
    }
  }
}

export async function initialToken(url: string, s: Session): Promise<string> {
  return (await api<SyncBody>(url, s, "GET", "/_matrix/client/v3/sync?timeout=0")).next_batch;
}

/** PUT start → the reader's /sync holding it, `samples` times, 15 ms idle before each PUT. */
export async function latencySamples(sendUrl: string, sender: Session[], readUrl: string, reader: Session, roomId: string, samples: number): Promise<number[]> {
  const since = { token: await initialToken(readUrl, reader) };
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const body = `latence ${process.pid} ${txn} ${i}`;
    const seen = readerSees(readUrl, reader, since, roomId, body);
    await pause(15);
    mark("c.start");
    const start = performance.now();
    await sendText(sendUrl, sender[i % sender.length]!, roomId, body);
    out.push((await seen) - start);
  }
  return out;
}

/** 200s per second of 20 sequential senders for `seconds`, each in `rooms[i]`, with the reader syncing (on `readUrl`). */
export async function throughput(p: ProbeRoom, rooms: string[], seconds: number, readUrl = p.url): Promise<{ rate: number; sent: number; putMs: number[] }> {
  const since = { token: await initialToken(readUrl, p.reader) };
  let running = true;
  const reading = (async () => {
    while (running) {
      const r = await api<SyncBody>(readUrl, p.reader, "GET", `/_matrix/client/v3/sync?timeout=10000&since=${since.token}`);
      since.token = r.next_batch;
    }
  })();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let ok = 0;
  const putMs: number[] = []; // each PUT's round trip (a checkpoint in a COMMIT delays the whole group's)
  await Promise.all(p.senders.map(async (s, i) => {
    for (let n = 0; performance.now() < deadline; n++) {
      const t0 = performance.now();
      await sendText(p.url, s, rooms[i % rooms.length]!, `débit ${n}`);
      putMs.push(performance.now() - t0);
      ok++;
    }
  }));
  const rate = ok / ((performance.now() - start) / 1000);
  running = false;
  await sendText(p.url, p.owner, p.roomId, "fin"); // ends the reader's long-poll
  await reading;
  return { rate, sent: ok, putMs };
}

/** CPU time (user + system) a process has used, in ms: a figure the machine's load does not inflate much. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in USER_HZ (100 on Linux)
}

/**
 * Waits until the process has been nearly idle (< 5 % of a core) over 250 ms: work a previous
 * run left behind (push evaluation of a burst) must not land in the next latency samples.
 */
export async function quiescent(pid: number, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const before = cpuMs(pid);
    await new Promise((r) => setTimeout(r, 250));
    if (cpuMs(pid) - before < 12.5) return;
  }
  throw new Error(`process ${pid} still busy after ${timeoutMs} ms`);
}

export interface LatencyStats { p50: number; p99: number }
export const latencyStats = (samples: number[]): LatencyStats => ({ p50: median(samples), p99: percentile(samples, 99) });
