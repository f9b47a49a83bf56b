// Clearing what the client left in the page's storage under a key prefix (at sign-out: a council
// PC is shared, the next agent must not inherit widget consents or learn which lists were opened).

/** What clearing needs of the page's storage (localStorage has it). */
export interface ListableStorage {
  readonly length: number;
  key(index: number): string | null;
  removeItem(key: string): void;
}

/** Removes every key starting with `prefix`; a refused storage holds nothing of ours either. */
export function removeKeysWithPrefix(storage: ListableStorage | undefined, prefix: string): void {
  try {
    if (!storage) return;
    const keys: string[] = [];
    for (let i = 0; i < storage.length; i++) {
      const k = storage.key(i);
      if (k?.startsWith(prefix)) keys.push(k);
    }
    for (const k of keys) storage.removeItem(k);
  } catch {
    // refused storage: nothing of ours in it either
  }
}

/** localStorage's shape over a Map, for unit tests (key order: insertion). */
export function memoryStorage(entries: [string, string][] = []) {
  const m = new Map(entries);
  return {
    m,
    get length() { return m.size; },
    key: (i: number) => [...m.keys()][i] ?? null,
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    clear: () => m.clear(),
  };
}
