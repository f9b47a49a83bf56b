// Applies pending migrations in one transaction each; the schema version lives in the database.
import { ddl, type Database } from "./sql.ts";
import { MIGRATIONS } from "./schema.ts";

export async function migrate(db: Database): Promise<number> {
  await db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  const rows = await db.all<{ version: number }>("SELECT version FROM schema_version");
  const done = new Set(rows.map((r) => Number(r.version)));
  let applied = 0;
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
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
