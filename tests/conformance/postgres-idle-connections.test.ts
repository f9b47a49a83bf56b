// A quiet spell does not cost the next message new PostgreSQL connections (storage/postgres.ts
// KEEP_IDLE). node-postgres closes a pooled connection after 10 s idle by default, and opening one
// costs a backend fork, its catalog caches and ~500 page faults: 20–100+ ms before the first
// answer on this machine. The pools' idle timers are node timers: Node's mock timers stand for the
// minute of quiet (no real wait), the backends (pg_backend_pid) say whether a connection is new.
import assert from "node:assert/strict";
import { mock } from "node:test";
import { openPostgres } from "../../homeserver/src/storage/postgres.ts";
import type { Database } from "../../homeserver/src/storage/sql.ts";
import { freshDatabase, requirePostgres } from "../harness/postgres.ts";

describe("PostgreSQL connections kept through a quiet spell", function () {
  this.timeout(60_000);
  let db: Database | undefined;
  let drop: (() => Promise<void>) | undefined;

  beforeEach(async function () {
    await requirePostgres(this);
    const fresh = await freshDatabase();
    drop = fresh.drop;
    mock.timers.enable({ apis: ["setTimeout"] });
    db = await openPostgres(fresh.url);
    await db.exec("CREATE TABLE t (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)");
  });
  afterEach(async () => {
    mock.timers.reset();
    await db?.close();
    await drop?.();
  });

  /** The backend of the writer's connection: a write transaction's own pid. */
  const writerPid = (d: Database): Promise<number> => d.transaction(async (tx) => {
    await tx.run("INSERT INTO t (v) VALUES (?)", ["x"]);
    return (await tx.one<{ p: number }>("SELECT pg_backend_pid() AS p"))!.p;
  });
  /** The backends of four concurrent pooled reads (each holds its connection until answered). */
  const readerPids = async (d: Database): Promise<number[]> =>
    (await Promise.all(Array.from({ length: 4 }, () => d.one<{ p: number }>("SELECT pg_backend_pid() AS p, pg_sleep(0.05)")))).map((r) => r!.p);

  it("writes and reads after a minute of quiet use the connections opened before it", async () => {
    const d = db!;
    const writer = await writerPid(d);
    const readers = new Set(await readerPids(d));
    assert.ok(readers.size >= 2, `several pooled connections opened (${readers.size})`);
    mock.timers.tick(60_000);
    assert.equal(await writerPid(d), writer, "the writer's connection was closed while idle and a new one opened");
    const after = await readerPids(d);
    assert.deepEqual(after.filter((p) => !readers.has(p)), [], "pooled reads opened new connections after the quiet spell");
  });
});
