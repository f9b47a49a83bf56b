// Applies pending migrations in one transaction each; the schema version lives in the database.
import { ddl, type Database } from "./sql.ts";
import { MIGRATIONS, type Migration } from "./schema.ts";

export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number> {
  await db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  const rows = await db.all<{ version: number }>("SELECT version FROM schema_version");
  const done = new Set(rows.map((r) => Number(r.version)));
  const pending = migrations.filter((m) => !done.has(m.version));
  if (pending.length === 0) return 0;
  // SQLite runs with temporary storage in memory (sqlite.ts: the savepoints' journals); a migration
  // may sort or copy a whole table (CREATE INDEX, INSERT … SELECT): its temporary b-trees and sorter
  // spills go to files meanwhile, so a large council database is not sorted in RAM
  await db.tempStore?.("file");
  try {
    return await apply(db, pending);
  } finally {
    await db.tempStore?.("memory");
  }
}

async function apply(db: Database, pending: readonly Migration[]): Promise<number> {
  let applied = 0;
  for (const m of pending) {
    await db.transaction(async (tx) => {
      for (const stmt of ddl(db.dialect, m.sql).split(";").map((s) => s.trim()).filter(Boolean)) {
        await tx.run(stmt);
      }
      await m.run?.(tx, db.dialect);
      await tx.run("INSERT INTO schema_version (version, name) VALUES (?, ?)", [m.version, m.name]);
    });
    applied++;
  }
  return applied;
}
