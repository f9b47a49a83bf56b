// A per-process cache of reads keyed by a stream position that the caller read from the database
// just before: a value read after position P was read is at least as recent as P, so while the
// database still answers P nothing was written since and the kept value is the stored one. The
// position comes from the database (never from this process's own writes), so writes made through
// another process (main, for a client reader) are seen by the next read here. Used by /sync for the
// ignored-user list (account-data position), the one-time key counts (key-change position) and the
// user's memberships (the newest position and count of the user's membership rows).
// PostgreSQL: reads see committed data alone. SQLite reads share the writer's connection and can
// see a write body half done, which a failed body or COMMIT then rolls back under an unchanged
// position, and a rolled-back position is taken again by the next write (AUTOINCREMENT): there a
// position is used only with `committedView` — read while no write group was open (the reads see
// committed rows only), keyed with the rollback count and the connection's data_version (another
// process's commit), and a value is kept only when read under that same view (`mayKeep`). A woken
// /sync then skips these reads on SQLite too (three statements of about twenty: docs/perf/speed-2.md).

export type KeptAtPosition<T> = Map<string, { position: number | string; value: Promise<T> }>;

const MAX_KEYS = 10_000;

/**
 * `read()` unless the value kept for `key` was read at this same `position` (undefined: always
 * read, nothing kept). `mayKeep`, asked just before `read()` (whose statement SQLite runs at once):
 * false when a value read now may not be kept under `position` (SQLite: see committedView).
 */
export function keptAtPosition<T>(cache: KeptAtPosition<T>, key: string, position: number | string | undefined, read: () => Promise<T>, mayKeep?: () => boolean): Promise<T> {
  if (position === undefined) return read();
  const kept = cache.get(key);
  if (kept?.position === position) return kept.value;
  if (mayKeep !== undefined && !mayKeep()) return read();
  const value = read();
  if (cache.size >= MAX_KEYS) cache.clear();
  const entry = { position, value };
  cache.set(key, entry);
  // a failed read is not kept
  value.catch(() => {
    if (cache.get(key) === entry) cache.delete(key);
  });
  return value;
}

/**
 * What reads of `db` see now, for keying positions read at this moment (the same tick as their
 * statement): "" on PostgreSQL (committed data only); on SQLite undefined while a write group is
 * open (its bodies are visible and may still be undone: keep nothing), else the rollback count
 * and data_version, which move when a write was undone (its positions go to the next writes) or
 * another process committed (the CLI writing the file).
 */
export function committedView(db: { dialect: string; runningWrite?(): object | undefined; rollbacks?(): number; dataVersion?(): number }): string | undefined {
  if (db.dialect === "postgres") return "";
  if (db.runningWrite?.() !== undefined) return undefined;
  return `${db.rollbacks?.() ?? 0}:${db.dataVersion?.() ?? 0}`;
}
