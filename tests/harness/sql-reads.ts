// The SQL text of every `all` read on a test homeserver's database, for the tests that check a
// path makes no read of some kind (a woken /sync, an evaluation from memory).
import type { Database, SqlValue } from "../../homeserver/src/storage/sql.ts";

/** Pushes each `all` read's SQL text into the list `sink()` returns (nothing while it returns undefined). */
export function onEveryRead(database: Database, sink: () => string[] | undefined): void {
  const all = database.all.bind(database);
  database.all = ((sql: string, params?: readonly SqlValue[]) => {
    sink()?.push(sql);
    return all(sql, params);
  }) as typeof database.all;
}
