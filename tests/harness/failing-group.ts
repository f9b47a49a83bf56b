// A SQLite write group made to fail at COMMIT, for tests of what a rollback must undo: a body that
// inserts an orphan child row (a deferred foreign key, checked at COMMIT) and is held open while
// the test runs reads against the open group through the writer's connection.
import type { Database } from "../../homeserver/src/storage/sql.ts";

/** Creates the parent/child tables the poison body needs (idempotent). */
export async function prepareFailingCommit(db: Database): Promise<void> {
  await db.exec("CREATE TABLE IF NOT EXISTS t_parent (id INTEGER PRIMARY KEY); CREATE TABLE IF NOT EXISTS t_child (p INTEGER REFERENCES t_parent (id) DEFERRABLE INITIALLY DEFERRED)");
}

export interface PoisonBody {
  /** Resolves once the body ran its insert (the group is open, bodies staged before it ran). */
  held: Promise<void>;
  /** Lets the body end: its group then COMMITs and fails. */
  release(): void;
  /** The body's own outcome (rejects with the FOREIGN KEY failure). */
  committed: Promise<unknown>;
}

/** Stages the poison body into the open (or next) group and holds it until release(). */
export function stagePoisonBody(db: Database): PoisonBody {
  if (!db.stage) throw new Error("stagePoisonBody needs SQLite's group committer (db.stage)");
  let onHeld!: () => void;
  const held = new Promise<void>((r) => { onHeld = r; });
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const staged = db.stage(async (tx) => {
    await tx.run("INSERT INTO t_child (p) VALUES (1)");
    onHeld();
    await gate;
  });
  return { held, release, committed: staged.committed };
}
