// Migration 190 (SQLite only): fewer b-trees written per local message. A lone message's COMMIT
// wrote ~42 WAL pages (tests/bench/wal-pages.ts), ~18 of them outside the push rows: among them
// a page of each of two rowid tables whose rows nobody reads by rowid, each beside its own
// primary-key index, and a leaf of the thread index for every event, though only thread events
// carry a thread id. Each page is a WAL frame now and a database write at the next checkpoint.
// - forward_extremities and event_txns become WITHOUT ROWID tables keyed by their primary key:
//   one b-tree each instead of the table and its key's index (same key order: the reads by
//   prefix answer the same rows in the same order);
// - events_thread indexes only events with a thread id (`WHERE thread_id IS NOT NULL`): the one
//   reader (event-queries.ts threadRoots) names that term, so SQLite still uses it.
// PostgreSQL has no rowid tables; its index stays whole (its thread reader is unchanged).
import type { Dialect, SqlExecutor } from "./sql.ts";

export async function sendPathBtrees(tx: SqlExecutor, dialect: Dialect): Promise<void> {
  if (dialect !== "sqlite") return;
  await tx.run("CREATE TABLE forward_extremities_keyed (room_id TEXT NOT NULL, event_id TEXT NOT NULL, PRIMARY KEY (room_id, event_id)) WITHOUT ROWID");
  await tx.run("INSERT INTO forward_extremities_keyed (room_id, event_id) SELECT room_id, event_id FROM forward_extremities");
  await tx.run("DROP TABLE forward_extremities");
  await tx.run("ALTER TABLE forward_extremities_keyed RENAME TO forward_extremities");
  await tx.run(`CREATE TABLE event_txns_keyed (
  user_id TEXT NOT NULL, device_id TEXT NOT NULL, request_path TEXT NOT NULL, txn_id TEXT NOT NULL, event_id TEXT NOT NULL,
  PRIMARY KEY (user_id, device_id, request_path, txn_id)
) WITHOUT ROWID`);
  await tx.run("INSERT INTO event_txns_keyed (user_id, device_id, request_path, txn_id, event_id) SELECT user_id, device_id, request_path, txn_id, event_id FROM event_txns");
  await tx.run("DROP TABLE event_txns"); // drops event_txns_event with it
  await tx.run("ALTER TABLE event_txns_keyed RENAME TO event_txns");
  await tx.run("CREATE INDEX event_txns_event ON event_txns (event_id, user_id, device_id, txn_id)");
  await tx.run("DROP INDEX events_thread");
  await tx.run("CREATE INDEX events_thread ON events (room_id, thread_id) WHERE thread_id IS NOT NULL");
}
