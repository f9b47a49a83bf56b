// Access tokens already resolved by this process, so a request costs no token lookup statement
// (PostgreSQL: one round trip per request, ~0.1 ms of CPU; issue 16). Only found tokens are kept.
// A token leaves the cache when it is deleted: at once when this process deleted it (UserStore
// clears once the DELETE committed), when PostgreSQL's notification of the DELETE arrives when
// another process (a client reader, `entente user deactivate`) did (token-revocations.ts). The
// cache is off until that LISTEN is in place and whenever its connection is lost.
export interface TokenOwner {
  userId: string;
  deviceId: string;
}

export class AccessTokenCache {
  private readonly map = new Map<string, TokenOwner>();
  private readonly max: number;
  private generation = 0;
  private on = false;
  private readonly clearedListeners = new Set<() => void>();

  constructor(max = 10_000) {
    this.max = max;
  }

  get enabled(): boolean {
    return this.on;
  }

  /** Kept answer for a token hash (least recently used dropped first when full). */
  get(hash: string): TokenOwner | undefined {
    if (!this.on) return undefined;
    const owner = this.map.get(hash);
    if (owner !== undefined) {
      this.map.delete(hash);
      this.map.set(hash, owner);
    }
    return owner;
  }

  /** Taken before a lookup's read; `keep` drops the answer if a clear happened meanwhile. */
  mark(): number {
    return this.generation;
  }

  keep(hash: string, owner: TokenOwner, mark: number): void {
    // a read that overlapped a deletion may hold the deleted row
    if (!this.on || mark !== this.generation) return;
    this.map.delete(hash);
    this.map.set(hash, owner);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  /** Some token was deleted (which one is not known across processes): everything goes. */
  clear(): void {
    this.generation++;
    this.map.clear();
    for (const f of this.clearedListeners) f();
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
