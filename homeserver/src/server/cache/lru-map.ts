// A Map bounded to `max` entries, least recently used dropped first: the process's in-memory
// caches (events by id, access tokens, unread counts, room members) share it instead of each
// writing the Map-order trick again (a Map iterates in insertion order, so re-inserting an entry
// on use makes the first key the least recently used one).

export class LruMap<K, V> {
  private readonly map = new Map<K, V>();
  readonly max: number;

  constructor(max: number) {
    if (!(max >= 1)) throw new RangeError(`LruMap: max must be at least 1 (got ${max})`);
    this.max = max;
  }

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** The value, made the most recently used. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  /** The value without changing its place. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  /** Sets the value as the most recently used; the least recently used goes when over `max`. */
  set(key: K, value: V): this {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
    return this;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}
