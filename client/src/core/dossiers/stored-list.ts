// A list of records kept as one JSON array under one key of the origin's storage (localStorage in
// the page, a Map in tests): the pending uploads and downloads of a dossier's folder view.
// Reading never throws: a damaged value reads as empty, a damaged record is dropped.

/** The part of `Storage` used (localStorage in the page, a Map in tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export class StoredList<T> {
  private readonly storage: KeyValueStorage;
  private readonly key: string;
  private readonly parse: (r: Record<string, unknown>) => T | undefined;

  constructor(storage: KeyValueStorage, key: string, parse: (r: Record<string, unknown>) => T | undefined) {
    this.storage = storage;
    this.key = key;
    this.parse = parse;
  }

  /** Every stored record that still parses. */
  all(): T[] {
    let raw: unknown;
    try {
      raw = JSON.parse(this.storage.getItem(this.key) ?? "[]");
    } catch {
      return [];
    }
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((r): T[] => {
      const parsed = isRecord(r) ? this.parse(r) : undefined;
      return parsed === undefined ? [] : [parsed];
    });
  }

  /** Replaces the list (the key goes when it is empty); throws what the storage throws (full, refused). */
  write(list: readonly T[]): void {
    if (list.length === 0) this.storage.removeItem(this.key);
    else this.storage.setItem(this.key, JSON.stringify(list));
  }
}
