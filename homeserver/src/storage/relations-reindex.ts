// Data step of migration 70: events stored before every persist path indexed relations (events
// received over federation or by backfill were stored without relates_to/rel_type/thread_id) get
// their relation columns filled from their JSON. Runs inside the migration's transaction.
import { relationOf } from "../room/relation.ts";
import type { Pdu } from "../room/pdu.ts";
import type { SqlExecutor } from "./sql.ts";
import { num } from "./sql.ts";

const BATCH = 500;

/** Indexes the relation of every stored event that declares one and has none indexed. Returns how many rows were updated. */
export async function reindexRelations(tx: SqlExecutor): Promise<number> {
  let updated = 0;
  let after = Number.MIN_SAFE_INTEGER;
  // Keyset pagination over stream_ordering (backfilled rows are negative); the LIKE is a cheap
  // pre-filter, the JSON parse decides.
  for (;;) {
    const rows = await tx.all<{ stream_ordering: number; json: string }>(
      `SELECT stream_ordering, json FROM events WHERE stream_ordering > ? AND relates_to IS NULL AND json LIKE '%m.relates_to%'
       ORDER BY stream_ordering LIMIT ${BATCH}`, [after]);
    for (const r of rows) {
      after = num(r.stream_ordering);
      const rel = relationOf(JSON.parse(r.json) as Pdu);
      if (!rel) continue;
      await tx.run("UPDATE events SET relates_to = ?, rel_type = ?, thread_id = ? WHERE stream_ordering = ?",
        [rel.eventId, rel.relType, rel.threadId ?? null, after]);
      updated++;
    }
    if (rows.length < BATCH) return updated;
  }
}
