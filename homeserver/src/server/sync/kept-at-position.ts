// A per-process cache of reads keyed by a stream position that the caller read from the database
// just before: a value read after position P was read is at least as recent as P, so while the
// database still answers P nothing was written since and the kept value is the stored one. The
// position comes from the database (never from this process's own writes), so writes made through
// another process (main, for a client reader) are seen by the next read here. Used by /sync for the
// ignored-user list (account-data position), the one-time key counts (key-change position) and the
// user's memberships (the newest position and count of the user's membership rows).
// PostgreSQL only: there reads see committed data alone. SQLite reads share the writer's connection
// and can see a write body half done, which a failed body then rolls back under an unchanged
// position; its statements cost microseconds anyway (callers pass no position: read every time).

export type KeptAtPosition<T> = Map<string, { position: number | string; value: Promise<T> }>;

const MAX_KEYS = 10_000;

/** `read()` unless the value kept for `key` was read at this same `position` (undefined: always read, nothing kept). */
export function keptAtPosition<T>(cache: KeptAtPosition<T>, key: string, position: number | string | undefined, read: () => Promise<T>): Promise<T> {
  if (position === undefined) return read();
  const kept = cache.get(key);
  if (kept?.position === position) return kept.value;
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
