// `node tests/bench/pg-group-bodies.ts [--bodies 15] [--groups 100] [--rounds 7]`: what a group commit's
// bodies cost on one pipelined PostgreSQL connection (storage/postgres.ts), by how they are written.
// Each body inserts one row (an id, a unique text, a ~250-byte JSON), the group ends with COMMIT
// (synchronous_commit off here: the fsync is not what is compared):
//  A  today's writer: every body after the first in a SAVEPOINT, its INSERT … RETURNING awaited
//     (the position comes from the sequence), RELEASE written with the next awaited statement;
//  B  the position known in the process (a block taken from the sequence ahead): every body's
//     SAVEPOINT, INSERT and RELEASE written together, one write per group, only COMMIT awaited;
//  C  B without savepoints.
// Prints, per body, the process's CPU, the backend's CPU (/proc of pg_backend_pid()) and the wall
// time, min and median over the rounds (modes alternated within each round). docs/perf/speed-4.md (pg).
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";
import { freshDatabase } from "../harness/postgres.ts";
import { councilDatabaseUrl } from "./council-setup.ts";

const { values } = parseArgs({ options: { bodies: { type: "string" }, groups: { type: "string" }, rounds: { type: "string" } } });
const bodies = Number(values.bodies ?? 15);
const groups = Number(values.groups ?? 100);
const rounds = Number(values.rounds ?? 7);
const fresh = await freshDatabase();
const client = new pg.Client({ connectionString: councilDatabaseUrl(fresh.url), pipeline: true } as pg.ClientConfig);
try {
  await client.connect();
  const pid = Number((await client.query<{ p: number }>("SELECT pg_backend_pid() AS p")).rows[0]?.p);
  const backendMs = (): number => {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ");
    return (Number(f[11]) + Number(f[12])) * 10;
  };
  await client.query("CREATE TABLE b (id BIGINT PRIMARY KEY, v TEXT NOT NULL UNIQUE, json TEXT NOT NULL); CREATE SEQUENCE b_ids");
  const socket = client.connection.stream;
  const json = JSON.stringify({ type: "m.room.message", content: { msgtype: "m.text", body: "x".repeat(200) } });
  let k = 0;
  let block = 0;
  let blockEnd = 0;
  /** Positions taken from the sequence 100 at a time (B, C). */
  const nextId = async (): Promise<number> => {
    if (block === blockEnd) {
      const rows = (await client.query<{ id: number }>("SELECT nextval('b_ids')::int AS id FROM generate_series(1, 100)")).rows;
      block = Number(rows[0]?.id);
      blockEnd = block + rows.length;
    }
    return block++;
  };
  const held = (q: pg.QueryConfig | string): Promise<pg.QueryResult> => {
    socket.cork();
    return client.query(q);
  };
  const waited = (q: pg.QueryConfig | string): Promise<pg.QueryResult> => {
    const p = client.query(q);
    while (socket.writableCorked > 0) socket.uncork();
    return p;
  };
  const returning = { name: "b_returning", text: "INSERT INTO b (id, v, json) VALUES (nextval('b_ids'), $1, $2) RETURNING id" };
  const given = { name: "b_given", text: "INSERT INTO b (id, v, json) VALUES ($1, $2, $3)" };
  const today = async (): Promise<void> => {
    void held("BEGIN; SET LOCAL synchronous_commit TO off");
    for (let i = 0; i < bodies; i++) {
      if (i > 0) void held("SAVEPOINT gc");
      await waited({ ...returning, values: [`v${k++}`, json] });
      if (i > 0) void held("RELEASE gc");
    }
    await waited("COMMIT");
  };
  const pipelined = (savepoints: boolean) => async (): Promise<void> => {
    const ids: number[] = [];
    for (let i = 0; i < bodies; i++) ids.push(await nextId());
    void held("BEGIN; SET LOCAL synchronous_commit TO off");
    const answers: Promise<unknown>[] = [];
    for (let i = 0; i < bodies; i++) {
      if (savepoints && i > 0) void held("SAVEPOINT gc");
      answers.push(held({ ...given, values: [ids[i] ?? 0, `v${k++}`, json] }));
      if (savepoints && i > 0) void held("RELEASE gc");
    }
    await waited("COMMIT");
    await Promise.all(answers);
  };
  const modes: [string, () => Promise<void>][] = [["A today (awaited RETURNING)", today], ["B pipelined, savepoints", pipelined(true)], ["C pipelined, no savepoints", pipelined(false)]];
  const results = new Map<string, number[][]>();
  const load0 = loadavg()[0];
  for (let r = 0; r < rounds; r++) {
    for (const [name, group] of modes) {
      const c0 = process.cpuUsage();
      const b0 = backendMs();
      const t0 = performance.now();
      for (let g = 0; g < groups; g++) await group();
      const c = process.cpuUsage(c0);
      const n = bodies * groups;
      const row = [(c.user + c.system) / n, ((backendMs() - b0) * 1000) / n, ((performance.now() - t0) * 1000) / n];
      results.set(name, [...(results.get(name) ?? []), row]);
    }
  }
  const stat = (rows: number[][], i: number): string => {
    const s = rows.map((x) => x[i] ?? 0).sort((a, b) => a - b);
    return `${(s[0] ?? 0).toFixed(1)} / ${(s[Math.floor(s.length / 2)] ?? 0).toFixed(1)}`;
  };
  process.stdout.write(`${bodies} bodies per group, ${groups} groups x ${rounds} rounds, load ${load0?.toFixed(1)} -> ${loadavg()[0]?.toFixed(1)}; µs per body, min / median\n`);
  process.stdout.write(`${"mode".padEnd(30)} ${"process CPU".padEnd(14)} ${"backend CPU".padEnd(14)} wall\n`);
  for (const [name, rows] of results) process.stdout.write(`${name.padEnd(30)} ${stat(rows, 0).padEnd(14)} ${stat(rows, 1).padEnd(14)} ${stat(rows, 2)}\n`);
} finally {
  await client.end().catch(() => undefined);
  await fresh.drop();
}
