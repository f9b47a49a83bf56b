// PostgreSQL: a write queued behind a group whose COMMIT fails is not refused with that group's
// error. Reads there see committed rows only (the pool), so a body of the next group cannot have
// read what was rolled back; the room writer's events built on a failed one refuse themselves
// (tests/conformance/postgres-room-writer.test.ts). Before, every body queued during the failed
// COMMIT got its error: a send into an unrelated room answered 500. SQLite keeps refusing them
// (reads share the writer's connection: group-commit.test.ts).
// Real PostgreSQL; the failed group is made deterministic: a poisoned body (an orphan row under a
// deferred foreign key) and enough bodies to fill the group (200), then one more, queued at once:
// it cannot join the full group and waits behind its COMMIT.
import assert from "node:assert/strict";
import { openDatabase } from "../../homeserver/src/storage/open-database.ts";
import type { Database } from "../../homeserver/src/storage/sql.ts";
import { freshDatabase, requirePostgres } from "../harness/postgres.ts";

/** GroupCommitter's default group size. */
const MAX_GROUP = 200;

describe("PostgreSQL: a write queued behind a failed COMMIT", function () {
  this.timeout(60_000);
  let db: Database | undefined;
  let drop: (() => Promise<void>) | undefined;
  after(async () => {
    await db?.close();
    await drop?.();
  });

  it("commits on its own; only the failed group's bodies get its error", async function () {
    await requirePostgres(this);
    const fresh = await freshDatabase();
    drop = fresh.drop;
    const d = (db = await openDatabase({ type: "postgres", url: fresh.url }));
    await d.exec("CREATE TABLE t_parent (id BIGINT PRIMARY KEY); CREATE TABLE t_child (p BIGINT REFERENCES t_parent (id) DEFERRABLE INITIALLY DEFERRED); CREATE TABLE t_rows (name TEXT)");
    const insert = (name: string) => d.transaction(async (tx) => {
      await tx.run("INSERT INTO t_rows (name) VALUES (?)", [name]);
      return name;
    });
    const poisoned = d.transaction(async (tx) => {
      await tx.run("INSERT INTO t_child (p) VALUES (1)");
    });
    const group = Array.from({ length: MAX_GROUP - 1 }, (_, i) => insert(`in group ${i}`));
    const behind = insert("behind");
    const outcomes = await Promise.allSettled([poisoned, ...group]);
    assert.deepEqual(outcomes.map((o) => o.status), outcomes.map(() => "rejected"), "the failed group's bodies are refused");
    assert.match(String((outcomes[0] as PromiseRejectedResult).reason), /foreign key/);
    assert.equal(await behind.catch((e: unknown) => `refused: ${String(e)}`), "behind");
    assert.deepEqual(await d.all("SELECT name FROM t_rows"), [{ name: "behind" }]);
  });
});
