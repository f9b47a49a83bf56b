// A migrated storage database of either kind for suites that run on both: SQLite in a fresh temp
// folder, or a fresh PostgreSQL database (skipped locally without PostgreSQL, failing under CI=true).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../homeserver/src/storage/open-database.ts";
import type { Database } from "../../homeserver/src/storage/sql.ts";
import { freshDatabase, requirePostgres } from "./postgres.ts";

export interface TestDatabase {
  db: Database;
  close(): Promise<void>;
}

export async function openTestDatabase(kind: "sqlite" | "postgres", ctx: Mocha.Context): Promise<TestDatabase> {
  if (kind === "postgres") {
    await requirePostgres(ctx);
    const fresh = await freshDatabase();
    const db = await openDatabase({ type: "postgres", url: fresh.url });
    return { db, close: async () => { await db.close(); await fresh.drop(); } };
  }
  const dir = mkdtempSync(join(tmpdir(), "entente-db-"));
  const db = await openDatabase({ type: "sqlite", path: join(dir, "db.sqlite") });
  return { db, close: async () => { await db.close(); rmSync(dir, { recursive: true, force: true }); } };
}
