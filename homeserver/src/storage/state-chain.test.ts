// One key of a state group (a served state event's prev_content: rooms/prev-content.ts) and a
// group's whole map (stateMapOfGroup: a cold /messages page of member events reads one per event)
// are read in two statements whatever the length of the group's delta chain (a recursive read of
// prev_group, then the entries of the chain's groups), not two statements per group. Both databases.
import assert from "node:assert/strict";
import { EventStore } from "./event-store.ts";
import { openDatabase } from "./open-database.ts";
import type { Database } from "./sql.ts";
import { stateKeyOf } from "../room/pdu.ts";
import { freshDatabase, requirePostgres } from "../../../tests/harness/postgres.ts";

const ROOM = "!r:council.test";

/** Counts the statements `f` makes on `db`. */
async function counted<T>(db: Database, f: () => Promise<T>): Promise<{ value: T; statements: number }> {
  let statements = 0;
  const wrap = <K extends "all" | "one" | "run">(k: K): (() => void) => {
    const orig = db[k].bind(db) as (...a: unknown[]) => unknown;
    (db as unknown as Record<K, unknown>)[k] = (...a: unknown[]) => { statements++; return orig(...a); };
    return () => { (db as unknown as Record<K, unknown>)[k] = orig; };
  };
  const undo = [wrap("all"), wrap("one"), wrap("run")];
  try {
    return { value: await f(), statements };
  } finally {
    for (const u of undo) u();
  }
}

for (const kind of ["sqlite", "postgres"] as const) describe(`state groups: a key read in two statements (${kind})`, function () {
  this.timeout(60_000);
  let db: Database;
  let drop: (() => Promise<void>) | undefined;
  before(async function () {
    if (kind === "postgres") {
      await requirePostgres(this);
      const fresh = await freshDatabase();
      drop = fresh.drop;
      db = await openDatabase({ type: "postgres", url: fresh.url });
    } else db = await openDatabase({ type: "sqlite", path: ":memory:" });
  });
  after(async () => {
    await db?.close();
    await drop?.();
  });

  it("reads a key of a 30-delta chain in two statements, as the deltas say (and the whole map too)", async () => {
    const writer = new EventStore({ db });
    const state = new Map([[stateKeyOf("m.room.create", ""), "$create"], [stateKeyOf("m.room.member", "@a:x"), "$a0"]]);
    let group = await writer.createStateGroup(db, ROOM, state);
    for (let i = 1; i <= 30; i++) {
      state.set(stateKeyOf("m.room.member", `@u${i}:x`), `$u${i}`);
      if (i % 10 === 0) state.set(stateKeyOf("m.room.member", "@a:x"), `$a${i}`);
      group = await writer.createStateGroup(db, ROOM, state, group);
    }
    const map = await counted(db, () => new EventStore({ db }).stateMapOfGroup(group));
    assert.deepEqual(new Map(map.value), state);
    assert.ok(map.statements <= 2, `statements for the whole map: ${map.statements}`);
    // set by the first delta: 30 groups down the chain
    const key = await counted(db, () => new EventStore({ db }).stateIdAt(group, "m.room.member", "@u1:x"));
    assert.equal(key.value, "$u1");
    assert.equal(await new EventStore({ db }).stateIdAt(group, "m.room.member", "@a:x"), "$a30");
    assert.ok(key.statements <= 2, `statements for one key: ${key.statements}`);
    assert.equal(await new EventStore({ db }).stateIdAt(group, "m.room.member", "@nobody:x"), undefined);
  });
});
