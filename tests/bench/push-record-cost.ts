// `node tests/bench/push-record-cost.ts [--db sqlite|postgres] [--unread N]`: the push actions'
// storage alone (PushStore, no server), on a fresh database: one room of 22 users, 20 of them
// sending in turn. Prints process CPU (user + system) per lone record (one message's 21 recipients,
// its own transaction and COMMIT: the lone sample's record), per full count of N unread (default
// 10,000: the first /sync after a restart), per count of 2 unread (a /sync after a receipt) and per
// /notifications page of 21; and for a user in few sets of the busy room (notified by 3 of the N
// messages, highlighted: a muted or mentions-only room), a full count, a /notifications page and a
// highlight-only page (review R2); and in a second room whose recipient sets vary (each message
// mentions one member, a member replaced every 20 messages: ~2,000 sets over 4,000 messages), a
// long-standing member's count of 2, full count and /notifications page (review R13). PostgreSQL:
// the client process's CPU only. Copy it into an old tree
// (git worktree) and alternate the two to compare layouts (docs/perf/speed-5.md, pushrows).
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openDatabase } from "../../homeserver/src/storage/open-database.ts";
import { PushStore, type PushActionRow } from "../../homeserver/src/storage/push-store.ts";
import { freshDatabase } from "../harness/postgres.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({ options: { db: { type: "string" }, unread: { type: "string" } } });
const kind = values.db === "postgres" ? "postgres" : "sqlite";
const unread = Number(values.unread ?? "10000");
const dir = mkdtempSync(join(tmpdir(), "push-record-cost-"));
const fresh = kind === "postgres" ? await freshDatabase() : undefined;
const db = await openDatabase(fresh ? { type: "postgres", url: fresh.url } : { type: "sqlite", path: join(dir, "db.sqlite") });
const room = "!room:council.test";
const users = Array.from({ length: 22 }, (_, i) => `@agent_${String(i).padStart(2, "0")}:council.test`);
const store = new PushStore({ db });
/** Sets a committed record wrote (absent in a tree before migration 200: its record returns nothing). */
const committed = (sets: unknown): void => {
  const mark = (store as { setsCommitted?: (s: string[]) => void }).setsCommitted;
  if (mark && Array.isArray(sets)) mark.call(store, sets as string[]);
};
const cpuMs = async (fn: () => Promise<unknown>): Promise<number> => {
  const c0 = process.cpuUsage();
  await fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};

try {
  let made = 0;
  /** Stores `n` messages, returns their positions and senders. */
  const messages = async (n: number): Promise<{ stream: number; sender: string; eventId: string }[]> => {
    const out: { stream: number; sender: string; eventId: string }[] = [];
    for (let b = 0; b < n; b += 500) {
      const ids: string[] = [];
      await db.transaction(async (tx) => {
        for (let i = b; i < Math.min(n, b + 500); i++) {
          const id = `$m${made++}`;
          ids.push(id);
          await tx.run("INSERT INTO events (event_id, room_id, type, sender, depth, origin_server_ts, json) VALUES (?, ?, 'm.room.message', ?, ?, ?, '{}')",
            [id, room, users[2 + (i % 20)]!, i, i]);
        }
      });
      for (const id of ids) {
        const r = await db.one<{ s: number; sender: string }>("SELECT stream_ordering AS s, sender FROM events WHERE event_id = ?", [id]);
        out.push({ stream: Number(r?.s), sender: String(r?.sender), eventId: id });
      }
    }
    return out;
  };
  /** users[1] has muted the room but for mentions: notified (highlighted) by 3 messages only. */
  const mentioned = new Set<number>();
  const actionsOf = (m: { stream: number; sender: string; eventId: string }): PushActionRow[] =>
    users.filter((u) => u !== m.sender && (u !== users[1] || mentioned.has(m.stream))).map((u) => ({
      userId: u, roomId: room, stream: m.stream, eventId: m.eventId, threadId: "main", highlight: u === users[1],
      actions: u === users[1] ? '["notify",{"set_tweak":"highlight"}]' : '["notify"]', ts: m.stream, sender: m.sender,
    }));

  // lone records: 1,000 to warm up, 1,000 measured
  const lone = await messages(2_000);
  for (const m of lone.slice(0, 1_000)) committed(await db.transaction((tx) => store.record(tx, actionsOf(m), [], m.stream)));
  const loneMs = await cpuMs(async () => {
    for (const m of lone.slice(1_000)) committed(await db.transaction((tx) => store.record(tx, actionsOf(m), [], m.stream)));
  });
  // the unread ones, recorded 100 a transaction
  const rest = await messages(unread);
  for (const k of [1, 2, 3]) mentioned.add(rest[Math.floor((k * rest.length) / 4)]!.stream);
  for (let b = 0; b < rest.length; b += 100) {
    const chunk = rest.slice(b, b + 100);
    committed(await db.transaction((tx) => store.record(tx, chunk.flatMap(actionsOf), [], chunk.at(-1)!.stream)));
  }
  const after = lone.at(-1)!.stream;
  const upTo = rest.at(-1)!.stream;
  const full: number[] = [];
  for (let i = 0; i < 15; i++) full.push(await cpuMs(() => store.countsByThread(users[0]!, room, after, upTo)));
  const counted = (await store.countsByThread(users[0]!, room, after, upTo))[0]?.notifications ?? 0;
  const small: number[] = [];
  for (let i = 0; i < 200; i++) small.push(await cpuMs(() => store.countsByThread(users[0]!, room, rest.at(-3)!.stream, upTo)));
  const pages: number[] = [];
  for (let i = 0; i < 50; i++) pages.push(await cpuMs(() => store.notifications(users[0]!, { before: Number.MAX_SAFE_INTEGER, limit: 21, onlyHighlight: false })));
  const few = { count: [] as number[], page: [] as number[], highlights: [] as number[] };
  for (let i = 0; i < 15; i++) {
    few.count.push(await cpuMs(() => store.countsByThread(users[1]!, room, after, upTo)));
    few.page.push(await cpuMs(() => store.notifications(users[1]!, { before: Number.MAX_SAFE_INTEGER, limit: 21, onlyHighlight: false })));
    few.highlights.push(await cpuMs(() => store.notifications(users[1]!, { before: Number.MAX_SAFE_INTEGER, limit: 21, onlyHighlight: true })));
  }
  const fewCounted = (await store.countsByThread(users[1]!, room, after, upTo))[0]?.notifications ?? 0;
  // many sets: "@stay" in every one of them
  const manyRoom = "!many:council.test";
  const stay = "@stay:council.test";
  let members = Array.from({ length: 21 }, (_, i) => `@member_${i}:council.test`);
  let joined = 21;
  const many: { stream: number; sender: string; eventId: string }[] = [];
  for (let b = 0; b < 4_000; b += 500) {
    const batch: PushActionRow[] = [];
    await db.transaction(async (tx) => {
      for (let i = b; i < b + 500; i++) {
        if (i > 0 && i % 20 === 0) members = [...members.slice(1), `@member_${joined++}:council.test`];
        const sender = members[i % members.length]!;
        const id = `$many${i}`;
        await tx.run("INSERT INTO events (event_id, room_id, type, sender, depth, origin_server_ts, json) VALUES (?, ?, 'm.room.message', ?, ?, ?, '{}')", [id, manyRoom, sender, i, i]);
        const stream = Number((await tx.one<{ s: number }>("SELECT stream_ordering AS s FROM events WHERE event_id = ?", [id]))?.s);
        many.push({ stream, sender, eventId: id });
        const mentioned = members[(i * 7) % members.length]!;
        for (const u of [stay, ...members]) {
          if (u !== sender) batch.push({ userId: u, roomId: manyRoom, stream, eventId: id, threadId: "main", highlight: u === mentioned, actions: u === mentioned ? '["notify",{"set_tweak":"highlight"}]' : '["notify"]', ts: i, sender });
        }
      }
    });
    committed(await db.transaction((tx) => store.record(tx, batch, [], many.at(-1)!.stream)));
  }
  const varied = { small: [] as number[], full: [] as number[], page: [] as number[] };
  for (let i = 0; i < 9; i++) {
    varied.small.push(await cpuMs(() => store.countsByThread(stay, manyRoom, many.at(-3)!.stream, many.at(-1)!.stream)));
    varied.full.push(await cpuMs(() => store.countsByThread(stay, manyRoom, 0, many.at(-1)!.stream)));
    varied.page.push(await cpuMs(() => store.notifications(stay, { before: Number.MAX_SAFE_INTEGER, limit: 21, onlyHighlight: false })));
  }
  const sets = Number((await db.one<{ n: number }>("SELECT COUNT(DISTINCT set_id) AS n FROM push_recipient_sets WHERE room_id = ?", [manyRoom]).catch(() => undefined))?.n ?? 0);
  process.stdout.write(`${JSON.stringify({
    db: kind, load: Number(loadavg()[0]!.toFixed(2)),
    loneRecordCpuUs: Math.round(loneMs), // 1,000 records: ms total = µs each
    fullCountCpuMs: Number(median(full).toFixed(2)), fullCountUnread: counted,
    countOf2CpuMs: Number(median(small).toFixed(3)), notificationsPageCpuMs: Number(median(pages).toFixed(3)),
    manySets: { sets, countOf2CpuMs: Number(median(varied.small).toFixed(3)), fullCountCpuMs: Number(median(varied.full).toFixed(2)), pageCpuMs: Number(median(varied.page).toFixed(3)) },
    fewSets: { counted: fewCounted, countCpuMs: Number(median(few.count).toFixed(3)), pageCpuMs: Number(median(few.page).toFixed(3)), highlightPageCpuMs: Number(median(few.highlights).toFixed(3)) },
  })}\n`);
} finally {
  await db.close();
  await fresh?.drop();
  rmSync(dir, { recursive: true, force: true });
}
