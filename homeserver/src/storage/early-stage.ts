// A write whose caller may go on before its COMMIT although other reads of the database do not
// see it yet (PostgreSQL: pooled reads do not see the writer's open transaction). Only a caller
// that keeps in memory what it needs from the write may build on it (the room writer,
// rooms/local-events.ts), and it must check, from the next body, that the write did not fail.
import type { Database, SqlExecutor } from "./sql.ts";

export interface EarlyStaged<T> {
  /** The body ran inside the open group transaction: not durable, not visible to other reads. */
  ran: Promise<T>;
  /** The group committed: durable and visible. */
  committed: Promise<T>;
  /**
   * True once the body or its group's COMMIT failed. Set before any body of a later group runs,
   * so a body built on this write checks it first and fails with it.
   */
  failed(): boolean;
}

export interface EarlyStaging {
  /** `pipelined`: no savepoint, writes not waited for; a failed one refuses the group (group-commit.ts). */
  stageEarly<T>(fn: (tx: SqlExecutor) => Promise<T>, opts?: { pipelined?: boolean }): EarlyStaged<T>;
}

/** The database's early staging, where it has one (PostgreSQL's writer). */
export function earlyStaging(db: Database): EarlyStaging | undefined {
  const s = db as Database & Partial<EarlyStaging>;
  return typeof s.stageEarly === "function" ? (s as EarlyStaging) : undefined;
}
