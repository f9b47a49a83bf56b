// A derived transaction on PostgreSQL (storage/postgres.ts: the push record's own connection, a group
// that cannot grow, one body) whose body only `send`s its writes goes to the server in ONE socket
// write with its BEGIN and COMMIT: one round trip, where the COMMIT used to wait for the writes'
// answers first (two). A failing write still refuses the body whole with its own error, and
// nothing of it is stored. Socket writes are counted at Node's net.Socket (every database socket).
import assert from "node:assert/strict";
import net from "node:net";
import { openPostgres } from "../../homeserver/src/storage/postgres.ts";
import type { Database, SqlExecutor } from "../../homeserver/src/storage/sql.ts";
import { freshDatabase, requirePostgres } from "../harness/postgres.ts";

type SocketWrite = (this: net.Socket, ...a: unknown[]) => unknown;
const proto = net.Socket.prototype as unknown as Record<string, SocketWrite | undefined>;

describe("PostgreSQL derived transaction: the body's sent writes leave with the COMMIT", function () {
  this.timeout(60_000);
  let db: Database;
  let drop: () => Promise<void>;
  let writes = 0;
  const originals = new Map<string, SocketWrite | undefined>();
  const values = async (): Promise<string[]> => (await db.all<{ v: string }>("SELECT v FROM t ORDER BY id")).map((r) => r.v);
  const record = (...vs: string[]) => async (tx: SqlExecutor): Promise<void> => {
    assert.ok(tx.send, "the derived transaction pipelines");
    for (const v of vs) tx.send("INSERT INTO t (v) VALUES (?)", [v]);
  };

  beforeEach(async function () {
    await requirePostgres(this);
    const fresh = await freshDatabase();
    drop = fresh.drop;
    db = await openPostgres(fresh.url);
    await db.exec("CREATE TABLE t (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL UNIQUE)");
    for (const m of ["_write", "_writev"]) {
      const orig = proto[m];
      originals.set(m, orig);
      if (!orig) continue;
      Object.defineProperty(net.Socket.prototype, m, {
        configurable: true,
        writable: true,
        value: function (this: net.Socket, ...a: unknown[]): unknown {
          writes++;
          return orig.apply(this, a);
        },
      });
    }
  });
  afterEach(async () => {
    for (const [m, orig] of originals) if (orig) Object.defineProperty(net.Socket.prototype, m, { configurable: true, writable: true, value: orig });
    originals.clear();
    await db?.close();
    await drop?.();
  });

  it("BEGIN, the body's two writes and COMMIT in one socket write", async () => {
    assert.ok(db.derivedTransaction, "PostgreSQL has derived transactions");
    await db.derivedTransaction(record("warm")); // the connection's start-up writes are not counted
    writes = 0;
    await db.derivedTransaction(record("a", "b"));
    assert.equal(writes, 1, "one write for the whole transaction");
    assert.deepEqual(await values(), ["warm", "a", "b"]);
  });

  it("a failing sent write refuses the body whole, with its own error; the next one commits", async () => {
    assert.ok(db.derivedTransaction, "PostgreSQL has derived transactions");
    await db.derivedTransaction(record("a"));
    await assert.rejects(db.derivedTransaction(record("b", "a", "c")), /duplicate key/);
    assert.deepEqual(await values(), ["a"], "nothing of the refused body is stored");
    await db.derivedTransaction(record("d"));
    assert.deepEqual(await values(), ["a", "d"]);
  });
});
