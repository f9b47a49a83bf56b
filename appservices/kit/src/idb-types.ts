// The slice of the IndexedDB API the snapshot uses. The repository compiles without the DOM lib
// (the homeserver must not see browser globals), so these are declared here, structurally: the
// real fake-indexeddb objects satisfy them.
export type IdbKey = string | number | Date | ArrayBufferView | ArrayBuffer | IdbKey[];

export interface IdbRequest<T> {
  readonly result: T;
  readonly error: Error | null;
  onsuccess: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  onupgradeneeded: ((ev: unknown) => void) | null;
}
export interface IdbIndex {
  readonly keyPath: string | string[];
  readonly unique: boolean;
  readonly multiEntry: boolean;
  get(key: IdbKey): IdbRequest<unknown>;
}
export interface IdbObjectStore {
  readonly keyPath: string | string[] | null;
  readonly autoIncrement: boolean;
  readonly indexNames: Iterable<string>;
  index(name: string): IdbIndex;
  createIndex(name: string, keyPath: string | string[], options: { unique: boolean; multiEntry: boolean }): IdbIndex;
  getAll(): IdbRequest<unknown[]>;
  getAllKeys(): IdbRequest<IdbKey[]>;
  get(key: IdbKey): IdbRequest<unknown>;
  put(value: unknown, key?: IdbKey): IdbRequest<IdbKey>;
}
export interface IdbTransaction {
  readonly error: Error | null;
  objectStore(name: string): IdbObjectStore;
  oncomplete: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export interface IdbDatabase {
  readonly version: number;
  readonly objectStoreNames: Iterable<string>;
  transaction(stores: string[], mode: "readonly" | "readwrite"): IdbTransaction;
  createObjectStore(name: string, options: { keyPath: string | string[] | null; autoIncrement: boolean }): IdbObjectStore;
  close(): void;
}
export interface IdbFactory {
  open(name: string, version?: number): IdbOpenRequest;
  databases(): Promise<{ name?: string; version?: number }[]>;
}
