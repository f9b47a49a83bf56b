// Persists a bot's IndexedDB databases (matrix-js-sdk's Rust crypto store, run on fake-indexeddb in
// Node) as ONE snapshot file. Node has no IndexedDB; fake-indexeddb keeps everything in memory, so
// without this a restarted bot would be a new, unknown device that cannot decrypt anything sent to
// its old identity. Each database is read in one readonly transaction over all its stores (a
// consistent cut: the crypto store's own write transactions are atomic), serialised with v8's
// structured clone (Uint8Array, Map... survive) and written to a temp file renamed over the old one,
// so a crash mid-write leaves the previous snapshot intact.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { deserialize, serialize } from "node:v8";
import type { IdbDatabase, IdbFactory, IdbKey, IdbRequest } from "./idb-types.ts";

interface IndexShape { name: string; keyPath: string | string[]; unique: boolean; multiEntry: boolean }
interface StoreShape {
  name: string;
  keyPath: string | string[] | null;
  autoIncrement: boolean;
  indexes: IndexShape[];
  /** [key, value] pairs; the key is needed only for stores without a keyPath. */
  records: [IdbKey, unknown][];
}
interface DatabaseShape { name: string; version: number; stores: StoreShape[] }
interface Snapshot { format: 1; databases: DatabaseShape[] }

const done = <T>(req: IdbRequest<T>): Promise<T> => new Promise((resolve, reject) => {
  req.onsuccess = (): void => resolve(req.result);
  req.onerror = (): void => reject(req.error ?? new Error("IndexedDB request failed"));
});

function openDb(factory: IdbFactory, name: string, version?: number, upgrade?: (db: IdbDatabase) => void): Promise<IdbDatabase> {
  const req = version === undefined ? factory.open(name) : factory.open(name, version);
  if (upgrade) req.onupgradeneeded = (): void => upgrade(req.result);
  return done(req);
}

async function readDatabase(factory: IdbFactory, name: string): Promise<DatabaseShape> {
  const db = await openDb(factory, name);
  try {
    const names = [...db.objectStoreNames];
    if (names.length === 0) return { name, version: db.version, stores: [] };
    const tx = db.transaction(names, "readonly");
    const stores = await Promise.all(names.map(async (storeName): Promise<StoreShape> => {
      const store = tx.objectStore(storeName);
      const [keys, values] = await Promise.all([done(store.getAllKeys()), done(store.getAll())]);
      const indexes = [...store.indexNames].map((n) => {
        const ix = store.index(n);
        return { name: n, keyPath: ix.keyPath, unique: ix.unique, multiEntry: ix.multiEntry };
      });
      return { name: storeName, keyPath: store.keyPath, autoIncrement: store.autoIncrement, indexes, records: keys.map((k, i) => [k, values[i]]) };
    }));
    return { name, version: db.version, stores };
  } finally {
    db.close();
  }
}

/** Writes every database whose name starts with `prefix` to `path` (temp file + rename). */
export async function saveIdbSnapshot(factory: IdbFactory, prefix: string, path: string): Promise<number> {
  const names = (await factory.databases()).map((d) => d.name ?? "").filter((n) => n.startsWith(prefix)).sort();
  const databases: DatabaseShape[] = [];
  for (const n of names) databases.push(await readDatabase(factory, n));
  const bytes = serialize({ format: 1, databases } satisfies Snapshot);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes, { mode: 0o600 });
  renameSync(tmp, path);
  return bytes.length;
}

function parseSnapshot(bytes: Buffer, path: string): Snapshot {
  const raw: unknown = deserialize(bytes);
  if (typeof raw !== "object" || raw === null || (raw as { format?: unknown }).format !== 1 || !Array.isArray((raw as { databases?: unknown }).databases)) {
    throw new Error(`${path}: not a crypto store snapshot (format 1)`);
  }
  return raw as Snapshot;
}

/**
 * Recreates the databases of a snapshot in `factory` (before the crypto store opens them).
 * Returns how many databases were restored: 0 when there is no snapshot yet (first start).
 */
export async function restoreIdbSnapshot(factory: IdbFactory, path: string): Promise<number> {
  if (!existsSync(path)) return 0;
  const snap = parseSnapshot(readFileSync(path), path);
  for (const d of snap.databases) {
    const db = await openDb(factory, d.name, d.version, (up) => {
      for (const s of d.stores) {
        const store = up.createObjectStore(s.name, { keyPath: s.keyPath, autoIncrement: s.autoIncrement });
        for (const ix of s.indexes) store.createIndex(ix.name, ix.keyPath, { unique: ix.unique, multiEntry: ix.multiEntry });
      }
    });
    try {
      if (d.stores.length > 0) {
        const tx = db.transaction(d.stores.map((s) => s.name), "readwrite");
        for (const s of d.stores) {
          const store = tx.objectStore(s.name);
          for (const [key, value] of s.records) {
            if (s.keyPath === null) store.put(value, key);
            else store.put(value);
          }
        }
        await new Promise<void>((resolve, reject) => {
          tx.oncomplete = (): void => resolve();
          tx.onerror = (): void => reject(tx.error ?? new Error("IndexedDB restore failed"));
        });
      }
    } finally {
      db.close();
    }
  }
  return snap.databases.length;
}
