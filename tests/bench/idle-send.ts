// `node tests/bench/idle-send.ts [--samples 6] [--idle 12]`: a lone message after a quiet spell,
// on a PostgreSQL council (a small council's usual traffic: minutes between messages, not a
// burst). The probe's room; the reader long-polls (60 s) from the start of the quiet; after
// `--idle` seconds a sender PUTs; sample = PUT start → the reader's /sync holding it. Per sample:
// the PostgreSQL connections the council opened for it (new backends of its database in
// pg_stat_activity; node-postgres closed idle pooled connections after 10 s before
// storage/postgres.ts KEEP_IDLE), the council's CPU and minor page faults, its PostgreSQL
// backends' CPU. One JSON line per sample, then a summary line.
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";
import { PG_ADMIN_URL } from "../harness/postgres.ts";
import { api, cpuMs, initialToken, quiescent, sendText, setUpProbeRoom } from "./council-probe.ts";
import { councilDatabaseUrl, startCouncils } from "./council-setup.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({ options: { samples: { type: "string" }, idle: { type: "string" } } });
const samples = Number(values.samples ?? 6);
const idleMs = Number(values.idle ?? 12) * 1000;
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const statOf = (pid: number | string): string[] => readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ");
const minorFaults = (pid: number): number => Number(statOf(pid)[7]);
/** CPU ms of the PostgreSQL backends of database `db` (other councils share the server; a backend that ended is not counted). */
const postgresCpuMs = (db: string): number => {
  let ms = 0;
  for (const d of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      if (!readFileSync(`/proc/${d}/comm`, "utf8").startsWith("postgres") || !readFileSync(`/proc/${d}/cmdline`, "utf8").includes(` ${db} `)) continue;
      const f = statOf(d);
      ms += (Number(f[11]) + Number(f[12])) * 10;
    } catch { /* ended */ }
  }
  return ms;
};

type SyncBody = { next_batch: string; rooms?: { join?: Record<string, { timeline?: { events?: { content?: { body?: unknown } }[] } }> } };

const set = await startCouncils(["ville-a"], { db: "postgres" });
const admin = new pg.Client({ connectionString: councilDatabaseUrl(PG_ADMIN_URL) });
await admin.connect();
try {
  const c = set.councils[0]!;
  const pid = c.child.pid!;
  const dbName = new URL(/url: "([^"]+)"/.exec(readFileSync(c.configPath, "utf8"))![1]!).pathname.slice(1);
  const backends = async (): Promise<Set<number>> =>
    new Set((await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1", [dbName])).rows.map((r) => r.pid));
  const p = await setUpProbeRoom(c.url, "idle");
  const rows: { ms: number; newConnections: number; councilCpuMs: number; councilMinorFaults: number; postgresCpuMs: number }[] = [];
  for (let i = 0; i < samples; i++) {
    await quiescent(pid);
    const since = await initialToken(c.url, p.reader);
    const body = `calme ${process.pid} ${i}`;
    const seen = (async () => {
      let token = since;
      for (;;) {
        const r = await api<SyncBody>(c.url, p.reader, "GET", `/_matrix/client/v3/sync?timeout=60000&since=${token}`);
        token = r.next_batch;
        if (r.rooms?.join?.[p.roomId]?.timeline?.events?.some((e) => e.content?.body === body)) return performance.now();
      }
    })();
    await pause(idleMs);
    const load = loadavg()[0]!;
    const before = await backends();
    const cpu0 = cpuMs(pid), f0 = minorFaults(pid), pg0 = postgresCpuMs(dbName);
    const t0 = performance.now();
    await sendText(c.url, p.senders[i % p.senders.length]!, p.roomId, body);
    const ms = (await seen) - t0;
    await quiescent(pid);
    const after = await backends();
    const row = {
      sample: i, load: +load.toFixed(2), ms: +ms.toFixed(1), newConnections: [...after].filter((b) => !before.has(b)).length,
      councilCpuMs: +(cpuMs(pid) - cpu0).toFixed(1), councilMinorFaults: minorFaults(pid) - f0, postgresCpuMs: postgresCpuMs(dbName) - pg0,
    };
    rows.push(row);
    process.stdout.write(JSON.stringify(row) + "\n");
  }
  const med = (k: keyof (typeof rows)[number]): number => median(rows.map((r) => r[k]));
  process.stdout.write(JSON.stringify({
    summary: true, samples: rows.length, idleS: idleMs / 1000, p50Ms: med("ms"), newConnectionsPerSample: +(rows.reduce((a, r) => a + r.newConnections, 0) / rows.length).toFixed(2),
    councilCpuMsP50: med("councilCpuMs"), councilMinorFaultsP50: med("councilMinorFaults"), postgresCpuMsP50: med("postgresCpuMs"), loadavg: loadavg(),
  }) + "\n");
} finally {
  await admin.end();
  await set.stop();
}
