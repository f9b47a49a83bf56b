// The homeserver's share of the task board's list read (issue 13): the seeded room of
// tests/bench/board-e2e.ts (BOARD_E2E_SEED_DIR, 2,000 tasks + 20,000 updates; seed it with that
// bench first), its anchor's tree read as our web client reads it for the board: /relations
// recurse=true, lean events (fr.entente.lean), pages of 5,000, each next page asked once the
// previous body is in. The homeserver runs in this process; CPU is this process's (the server,
// and the reader's light work: the body's text, a regex for next_batch, no JSON.parse of the
// events). The first read after the start walks the tree and reads SQLite's files cold; the
// next ones are the warm case (the board opened again: the bench's runs). Median of --runs=N.
// `node tests/bench/board-server-read.ts [--runs=9]`.
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { startHomeserver } from "../../homeserver/src/server/compose.ts";
import { testConfig } from "../harness/test-config.ts";
import { median } from "./stats.ts";

const NEXT = /^\{"next_batch":("(?:[^"\\]|\\.)*")/;

export async function serverReads(seedDir: string, runs: number): Promise<{ first: { wall: number; cpu: number }; warm: { wall: number; cpu: number }[]; events: number; bytes: number }> {
  const me = JSON.parse(readFileSync(join(seedDir, "board-e2e-seed.json"), "utf8")) as { accessToken: string; roomId: string };
  const dir = mkdtempSync(join(tmpdir(), "board-server-read-"));
  cpSync(seedDir, dir, { recursive: true });
  const hs = await startHomeserver(testConfig(dir));
  try {
    const auth = { headers: { Authorization: `Bearer ${me.accessToken}` } };
    const r = encodeURIComponent(me.roomId);
    const state = await fetch(`${hs.url}/_matrix/client/v3/rooms/${r}/state/fr.entente.tasks/`, auth);
    const anchor = ((await state.json()) as { anchor?: string }).anchor;
    if (anchor === undefined) throw new Error("no task list in the seeded room");
    let events = 0;
    let bytes = 0;
    const read = async (): Promise<{ wall: number; cpu: number }> => {
      const cpu = process.cpuUsage();
      const t = performance.now();
      let from: string | undefined;
      events = 0;
      bytes = 0;
      do {
        const res = await fetch(`${hs.url}/_matrix/client/v1/rooms/${r}/relations/${encodeURIComponent(anchor)}/m.reference?dir=f&limit=5000&recurse=true&fr.entente.lean=true${from ? `&from=${encodeURIComponent(from)}` : ""}`, auth);
        const text = await res.text();
        if (!res.ok) throw new Error(`relations: ${res.status} ${text.slice(0, 200)}`);
        bytes += text.length;
        events += text.split('{"event_id":').length - 1;
        const m = NEXT.exec(text);
        from = m?.[1] === undefined ? undefined : (JSON.parse(m[1]) as string);
      } while (from !== undefined);
      const used = process.cpuUsage(cpu);
      return { wall: performance.now() - t, cpu: (used.user + used.system) / 1000 };
    };
    const first = await read();
    const warm: { wall: number; cpu: number }[] = [];
    for (let i = 0; i < runs; i++) warm.push(await read());
    return { first, warm, events, bytes };
  } finally {
    await hs.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const seedDir = process.env["BOARD_E2E_SEED_DIR"] ?? "/tmp/board-seed";
  const runs = Number(process.argv.find((a) => a.startsWith("--runs="))?.slice(7) ?? 9);
  const load = loadavg()[0]?.toFixed(1);
  const out = await serverReads(seedDir, runs);
  const ms = (n: number): string => String(Math.round(n));
  process.stdout.write(`board server read: ${out.events} events, ${(out.bytes / 1e6).toFixed(2)} MB; first read ${ms(out.first.wall)} ms wall / ${ms(out.first.cpu)} ms CPU; warm median of ${runs}: ${ms(median(out.warm.map((w) => w.wall)))} ms wall / ${ms(median(out.warm.map((w) => w.cpu)))} ms CPU (each: ${out.warm.map((w) => ms(w.cpu)).join(" ")}); load ${load}-${loadavg()[0]?.toFixed(1)}\n`);
}
