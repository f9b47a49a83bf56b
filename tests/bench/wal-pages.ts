// `node tests/bench/wal-pages.ts [--samples N] [--waves N]`: which b-trees the WAL frames of one
// message belong to (SQLite). One council, the probe's room (22 members, 2 stand-in bots); after
// each lone message (one PUT, then 100 ms of quiet) and each wave of 20 concurrent messages (one
// per sender, the burst's shape), the frames the council appended to its -wal file are read (each
// frame header names its page) and each page is named by `dbstat` on a read-only connection: table
// or index, leaf or interior. A sample whose frames cross a checkpoint (the WAL restarted, new
// salts) is dropped. Prints, per message, the frames and COMMITs and the pages per b-tree.
import { closeSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { join, dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { quiescent, sendText, setUpProbeRoom } from "./council-probe.ts";
import { startCouncils } from "./council-setup.ts";

const { values } = parseArgs({ options: { samples: { type: "string" }, waves: { type: "string" } } });
const samples = Number(values.samples ?? "20");
const waves = Number(values.waves ?? "5");
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The council's SQLite file: the one *.db-wal's database under its data folder. */
function findDatabase(dir: string): string {
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith("-wal")) return join(e.parentPath, e.name.slice(0, -4));
  }
  throw new Error(`no SQLite WAL under ${dir}`);
}

interface WalState { salt: string; offset: number }
/** Frames appended since `from` (page numbers and commit marks), or undefined if the WAL restarted. */
function framesSince(walPath: string, pageSize: number, from: WalState | undefined): { pages: number[]; commits: number; state: WalState } | undefined {
  const fd = openSync(walPath, "r");
  try {
    const header = Buffer.alloc(32);
    readSync(fd, header, 0, 32, 0);
    const salt = header.subarray(16, 24).toString("hex");
    const size = statSync(walPath).size;
    const frame = 24 + pageSize;
    const pages: number[] = [];
    let commits = 0;
    let offset = from?.salt === salt ? from.offset : 32;
    const fh = Buffer.alloc(24);
    for (; offset + frame <= size; offset += frame) {
      readSync(fd, fh, 0, 24, offset);
      // a frame of an earlier WAL generation (the file is reused after a checkpoint): stop there
      if (fh.subarray(8, 16).toString("hex") !== salt) break;
      pages.push(fh.readUInt32BE(0));
      if (fh.readUInt32BE(4) !== 0) commits++;
    }
    const state = { salt, offset };
    return from === undefined || from.salt === salt ? { pages, commits, state } : undefined;
  } finally {
    closeSync(fd);
  }
}

const set = await startCouncils(["ville-a"], { db: "sqlite" });
try {
  const c = set.councils[0]!;
  const pid = c.child.pid ?? 0;
  const p = await setUpProbeRoom(c.url, "wal");
  const dbPath = findDatabase(dirname(c.configPath));
  const walPath = `${dbPath}-wal`;
  const reader = new DatabaseSync(dbPath, { readOnly: true });
  const pageSize = Number((reader.prepare("PRAGMA page_size").get() as { page_size: number }).page_size);
  const nameOf = (): Map<number, string> => {
    const m = new Map<number, string>();
    for (const r of reader.prepare("SELECT name, pageno, pagetype FROM dbstat").all() as { name: string; pageno: number; pagetype: string }[]) {
      m.set(r.pageno, `${r.name} ${r.pagetype === "leaf" ? "leaf" : r.pagetype}`);
    }
    return m;
  };
  const tally = new Map<string, number>();
  const measure = async (label: string, rounds: number, perRound: number, send: (i: number) => Promise<unknown>): Promise<void> => {
    tally.clear();
    let kept = 0;
    let frames = 0;
    let commits = 0;
    for (let i = 0; i < rounds; i++) {
      await quiescent(pid);
      const before = framesSince(walPath, pageSize, undefined)!.state;
      await send(i);
      await pause(100); // the after-commit work (push record, appservice feeds) has written by now
      await quiescent(pid);
      const got = framesSince(walPath, pageSize, before);
      if (got === undefined) continue; // crossed a checkpoint
      kept++;
      frames += got.pages.length;
      commits += got.commits;
      const names = nameOf();
      for (const pg of got.pages) {
        const n = names.get(pg) ?? "(free or new page)";
        tally.set(n, (tally.get(n) ?? 0) + 1);
      }
    }
    const per = kept * perRound;
    console.log(`\n## ${label}: ${kept} of ${rounds} rounds kept (load ${loadavg()[0]!.toFixed(2)})`);
    console.log(`frames per message ${(frames / per).toFixed(2)} (${((frames / per) * pageSize / 1024).toFixed(1)} KiB), COMMITs per message ${(commits / per).toFixed(2)}`);
    for (const [n, k] of [...tally].sort((a, b) => b[1] - a[1])) console.log(`${(k / per).toFixed(2).padStart(7)}  ${n}`);
  };
  // warm-up: the first messages grow the b-trees from empty
  for (let i = 0; i < 40; i++) await sendText(c.url, p.senders[i % 20]!, p.roomId, `chauffe ${i}`);
  await measure("lone message", samples, 1, (i) => sendText(c.url, p.senders[i % 20]!, p.roomId, `seul ${i}`));
  await measure("wave of 20 concurrent messages", waves, 20, (i) => Promise.all(p.senders.map((s, k) => sendText(c.url, s, p.roomId, `vague ${i} ${k}`))));
  reader.close();
} finally {
  await set.stop();
}
