// Access tokens already resolved by this process, so a request costs no token lookup statement
// (PostgreSQL: one round trip per request, ~0.1 ms of CPU; issue 16). Only found tokens are kept.
// A token leaves the cache when it is deleted: at once when this process deleted it (UserStore
// clears once the DELETE committed), when PostgreSQL's notification of the DELETE arrives when
// another process (a client reader, `entente user deactivate`) did (token-revocations.ts). The
// cache is off until that LISTEN is in place and whenever its connection is lost. A kept answer
// also expires after `maxAgeMs` (60 s): a notification lost on a connection that died silently
// (a half-open TCP flow) cannot keep a revoked token valid longer than that.
// SQLite (one homeserver process; the CLI may write the file from another): `watchVersion` gives
// the connection's data_version, which moves only when another connection commits; every get()
// compares it first and clears on a change, so a token the CLI deleted is refused at its next use.
import { LruMap } from "../cache/lru-map.ts";

export interface TokenOwner {
  userId: string;
  deviceId: string;
}

export class AccessTokenCache {
  private readonly map: LruMap<string, { owner: TokenOwner; at: number }>;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private generation = 0;
  private on = false;
  private readonly clearedListeners = new Set<() => void>();
  private version: (() => number) | undefined;
  private seenVersion = 0;

  constructor(max = 10_000, maxAgeMs = 60_000, now: () => number = () => performance.now()) {
    this.map = new LruMap(max);
    this.maxAgeMs = maxAgeMs;
    this.now = now;
  }

  get enabled(): boolean {
    return this.on;
  }

  /** Kept answer for a token hash (least recently used dropped first when full). */
  get(hash: string): TokenOwner | undefined {
    if (!this.on) return undefined;
    if (this.version) {
      const v = this.version();
      if (v !== this.seenVersion) {
        this.seenVersion = v;
        this.clear();
        return undefined;
      }
    }
    const kept = this.map.peek(hash);
    if (kept === undefined) return undefined;
    if (this.now() - kept.at > this.maxAgeMs) {
      this.map.delete(hash);
      return undefined;
    }
    this.map.get(hash); // the most recently used now
    return kept.owner;
  }

  /** Taken before a lookup's read; `keep` drops the answer if a clear happened meanwhile. */
  mark(): number {
    return this.generation;
  }

  keep(hash: string, owner: TokenOwner, mark: number): void {
    // a read that overlapped a deletion may hold the deleted row
    if (!this.on || mark !== this.generation) return;
    this.map.set(hash, { owner, at: this.now() });
  }

  /** Some token was deleted (which one is not known across processes): everything goes. */
  clear(): void {
    this.generation++;
    this.map.clear();
    for (const f of this.clearedListeners) f();
  }

  /**
   * SQLite: keep answers from now on, dropped whenever `version` (Database.dataVersion: another
   * connection committed) has moved since the previous get().
   */
  watchVersion(version: () => number): void {
    this.version = version;
    this.seenVersion = version();
    this.enable();
  }

  /** The revocation feed is in place: keep answers from now on. */
  enable(): void {
    this.on = true;
    this.clear();
  }

  /** The revocation feed is lost: a deletion elsewhere would go unheard. */
  disable(): void {
    this.on = false;
    this.clear();
  }

  /** Tests: called after each clear. */
  onCleared(f: () => void): () => void {
    this.clearedListeners.add(f);
    return () => void this.clearedListeners.delete(f);
  }
}
