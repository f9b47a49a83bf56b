import { openPostgres } from "./postgres.ts";
import { openSqlite } from "./sqlite.ts";
import { migrate } from "./migrate.ts";
import type { Database } from "./sql.ts";

export type DatabaseConfig = { type: "sqlite"; path: string } | { type: "postgres"; url: string };

export async function openDatabase(cfg: DatabaseConfig): Promise<Database> {
  const db = cfg.type === "sqlite" ? openSqlite(cfg.path) : await openPostgres(cfg.url);
  await migrate(db);
  return db;
}
