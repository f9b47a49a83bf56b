// Admin commands work on a council's database directly: they need no running server and no admin
// token. With SQLite (WAL, busy timeout) this is safe while the server runs; with PostgreSQL too.
// Opening the database runs pending migrations, as the server does at start.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { HomeserverConfig } from "../../homeserver/src/config/config-types.ts";
import { loadConfig } from "../../homeserver/src/config/load-config.ts";
import { openDatabase } from "../../homeserver/src/storage/open-database.ts";
import type { Database } from "../../homeserver/src/storage/sql.ts";
import { StreamStore } from "../../homeserver/src/storage/stream-store.ts";
import { UserStore } from "../../homeserver/src/storage/user-store.ts";

export interface CouncilDatabase {
  config: HomeserverConfig;
  db: Database;
  users: UserStore;
  streams: StreamStore;
}

/** Loads the config (ConfigError on problems), opens its database, runs `fn`, closes. */
export async function withCouncilDatabase<T>(configPath: string, env: NodeJS.ProcessEnv, fn: (c: CouncilDatabase) => Promise<T>): Promise<T> {
  const config = loadConfig(configPath, env);
  if (config.database.type === "sqlite") mkdirSync(dirname(config.database.path), { recursive: true });
  const db = await openDatabase(config.database);
  try {
    return await fn({ config, db, users: new UserStore({ db }), streams: new StreamStore({ db }) });
  } finally {
    await db.close();
  }
}

/** Whether a table exists (features that later migrations add, e.g. the federation queue). */
export async function tableExists(db: Database, table: string): Promise<boolean> {
  const row = db.dialect === "sqlite"
    ? await db.one("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [table])
    : await db.one("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?", [table]);
  return row !== undefined;
}
