// `node tests/bench/unread-probe.ts [--unread N] [--db sqlite|postgres]`: is a reader with N unread
// messages (default 10,000) as fast to /sync as one with none? One `entente init` council; 20
// senders fill a room; then, 20 times, a new message arrives and both readers run an incremental
// /sync (timeout=0) that holds the room and its unread counts; the reader with none marks each new
// message read first. Prints both medians and the busy reader's notification_count, and before them
// each reader's first /sync (no token, nothing read yet: both count every message in full, as the
// first /sync after a restart does).
import { parseArgs } from "node:util";
import { registerUser } from "../harness/homeserver.ts";
import { api, initialToken, quiescent, sendText, type Session } from "./council-probe.ts";
import { startCouncils } from "./council-setup.ts";
import { median } from "./stats.ts";

type SyncBody = { next_batch: string; rooms?: { join?: Record<string, { unread_notifications?: { notification_count?: number } }> } };

const { values } = parseArgs({ options: { unread: { type: "string" }, db: { type: "string" } } });
const unread = Number(values.unread ?? "10000");
const set = await startCouncils(["ville-a"], { db: values.db === "postgres" ? "postgres" : "sqlite" });
try {
  const c = set.councils[0]!;
  const owner = await registerUser(c.url, "u_owner");
  const busy = await registerUser(c.url, "u_busy");
  const calm = await registerUser(c.url, "u_calm");
  const senders: Session[] = [];
  for (let i = 0; i < 20; i++) senders.push(await registerUser(c.url, `u_sender${i}`));
  const { room_id: roomId } = await api<{ room_id: string }>(c.url, owner, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" });
  for (const s of [busy, calm, ...senders]) await api(c.url, s, "POST", `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {});
  let next = 0;
  await Promise.all(senders.map(async (s) => {
    while (next < unread) await sendText(c.url, s, roomId, `non lu ${next++}`);
  }));
  await quiescent(c.child.pid ?? 0, 600_000);
  const first = { busy: 0, calm: 0 };
  const timed = async (who: "busy" | "calm"): Promise<string> => {
    const t0 = performance.now();
    const token = await initialToken(c.url, who === "busy" ? busy : calm);
    first[who] = performance.now() - t0;
    return token;
  };
  const since = { calm: await timed("calm"), busy: await timed("busy") };
  const times = { busy: [] as number[], calm: [] as number[] };
  let count = 0;
  for (let i = 0; i < 20; i++) {
    const { event_id: eventId } = await api<{ event_id: string }>(c.url, owner, "PUT",
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/unread${i}`, { msgtype: "m.text", body: `nouveau ${i}` });
    await api(c.url, calm, "POST", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/receipt/m.read/${encodeURIComponent(eventId)}`, {});
    for (const who of ["busy", "calm"] as const) {
      const t0 = performance.now();
      const r = await api<SyncBody>(c.url, who === "busy" ? busy : calm, "GET", `/_matrix/client/v3/sync?timeout=0&since=${since[who]}`);
      times[who].push(performance.now() - t0);
      since[who] = r.next_batch;
      if (who === "busy") count = r.rooms?.join?.[roomId]?.unread_notifications?.notification_count ?? count;
    }
  }
  process.stdout.write(`first /sync (every message counted in full): ${first.calm.toFixed(2)} ms, then ${first.busy.toFixed(2)} ms\n`);
  process.stdout.write(`reader with ${count} unread: /sync p50 ${median(times.busy).toFixed(2)} ms; reader with none: ${median(times.calm).toFixed(2)} ms\n`);
} finally {
  await set.stop();
}
