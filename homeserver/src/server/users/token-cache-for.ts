// A process's access-token cache: with its PostgreSQL revocation feed (compose.ts, client-reader.ts),
// or on SQLite watching the file's data_version (compose.ts: SQLite runs one homeserver process).
import { TokenRevocations } from "../../storage/token-revocations.ts";
import type { Logger } from "../log.ts";
import type { Database } from "../../storage/sql.ts";
import { AccessTokenCache } from "./access-token-cache.ts";

export function tokenCacheFor(url: string, log: Logger): { cache: AccessTokenCache; revocations: TokenRevocations } {
  const cache = new AccessTokenCache();
  return { cache, revocations: new TokenRevocations({ url, cache, log }) };
}

/** SQLite: kept tokens dropped whenever another connection (the CLI) committed; undefined without dataVersion. */
export function sqliteTokenCache(db: Database): AccessTokenCache | undefined {
  const version = db.dataVersion?.bind(db);
  if (!version) return undefined;
  const cache = new AccessTokenCache();
  cache.watchVersion(version);
  return cache;
}
