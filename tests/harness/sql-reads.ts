// The SQL text of every read (`all` and `one`) made on a test homeserver's Database outside write
// transactions, for the tests that check a path makes no read of some kind (a woken /sync, an
// evaluation from memory). Reads inside a transaction body go through its own executor and are
// not seen here.
import type { Database, SqlValue } from "../../homeserver/src/storage/sql.ts";

/** Pushes each read's SQL text into the list `sink()` returns (nothing while it returns undefined). */
export function onEveryRead(database: Database, sink: () => string[] | undefined): void {
  const all = database.all.bind(database);
  const one = database.one.bind(database);
  database.all = ((sql: string, params?: readonly SqlValue[]) => {
    sink()?.push(sql);
    return all(sql, params);
  }) as typeof database.all;
  database.one = ((sql: string, params?: readonly SqlValue[]) => {
    sink()?.push(sql);
    return one(sql, params);
  }) as typeof database.one;
}
