// Mocha hooks for suites that run homeserver processes (main, client readers) on one PostgreSQL:
// a fresh database and a temp folder before the suite; afterwards every child still running is
// stopped (SIGTERM, waited for), the database dropped and the folder removed. Skips (fails under
// CI=true) without PostgreSQL, as requirePostgres does.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitExit } from "./child-homeserver.ts";
import { freshDatabase, requirePostgres } from "./postgres.ts";

export interface PostgresProcesses {
  /** The suite's temp folder (configs, media, logs). */
  readonly dir: string;
  /** The fresh database's connection URL. */
  readonly url: string;
  /** Processes to stop after the suite. */
  readonly children: ChildProcess[];
}

export function usePostgresProcesses(prefix: string): PostgresProcesses {
  let dir = "";
  let db: { url: string; drop: () => Promise<void> } | undefined;
  const children: ChildProcess[] = [];
  before(async function () {
    await requirePostgres(this);
    dir = mkdtempSync(join(tmpdir(), prefix));
    db = await freshDatabase();
  });
  after(async () => {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
      await waitExit(c);
    }
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return { get dir() { return dir; }, get url() { return db?.url ?? ""; }, children };
}
