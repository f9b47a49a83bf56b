// Advisory locks of a dossier's files ("en cours de modification par …"), pure: which locks are
// active at a time (protocol's activeLock: not expired, set by its holder; and its holder still a
// member of the dossier: one who left no longer edits it), when the next one ends
// (the view's timer, so an expiry shows without a reload or a new event), the durations an agent
// picks from, and the power levels a new dossier gets so that every member may lock (docs/dossiers.md).
import { activeLock, type FileLock } from "./protocol.ts";

export type { FileLock };

/** One `fr.entente.file.lock` state event, as the room state holds it. */
export interface LockStateEvent {
  stateKey: string;
  sender: string;
  content: unknown;
}

/**
 * The locks active at `now`, by entry (root event) id. `isMember` says whether a holder is still
 * joined to the dossier: the lock of one who left (or was removed) has ended, whatever its time.
 */
export function activeLocks(states: Iterable<LockStateEvent>, now: number, isMember: (userId: string) => boolean = () => true): Map<string, FileLock> {
  const out = new Map<string, FileLock>();
  for (const s of states) {
    const lock = activeLock(s.content, s.sender, now);
    if (lock !== undefined && isMember(lock.holder)) out.set(s.stateKey, lock);
  }
  return out;
}

/** Milliseconds until the first of these locks ends (undefined: none), at least 0. */
export function untilNextExpiry(locks: Iterable<FileLock>, now: number): number | undefined {
  let first: number | undefined;
  for (const l of locks) if (first === undefined || l.expiresAt < first) first = l.expiresAt;
  return first === undefined ? undefined : Math.max(0, first - now);
}

export const LOCK_DURATIONS = ["1h", "4h", "24h"] as const;
export type LockDuration = (typeof LOCK_DURATIONS)[number];
const HOUR = 3_600_000;
const DURATION_MS: Record<LockDuration, number> = { "1h": HOUR, "4h": 4 * HOUR, "24h": 24 * HOUR };

/** When a lock taken at `now` for `d` ends. */
export function lockExpiry(d: LockDuration, now: number): number {
  return now + DURATION_MS[d];
}

export const isLockDuration = (v: string): v is LockDuration => (LOCK_DURATIONS as readonly string[]).includes(v);

