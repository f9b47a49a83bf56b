// The bot's own store (not room state: it holds what must not be in a room): per binding the
// CalDAV sync token or ctag, the etag and last agreed content of every object, the objects skipped
// and why, and the CalDAV credentials. One JSON file in the bot's data dir, mode 0600, replaced
// atomically (write a temp file, fsync, rename), so a crash leaves the old or the new file, never
// half of one. It is a cache of progress: losing it costs a full resync, not data (UIDs identify
// events on both sides).
import { readTextIfExists, writeJsonFileAtomic } from "../../../kit/src/json-file.ts";
import { isObject, type JsonObject } from "../protocol.ts";

export interface ObjectRecord {
  href: string;
  etag?: string;
  /** wire fields both sides last agreed on (the base of three-way merges) */
  base: JsonObject;
  /** rsvpKey() of the RSVPs last written to CalDAV */
  rsvps: string;
  /** PARTSTAT of attendees outside Matrix, as last read from CalDAV (we carry them back) */
  outside?: Record<string, string>;
}

export interface BindingSyncState {
  /** the collection this state is about: bound elsewhere, the state starts again (forCollection) */
  collection?: string;
  syncToken?: string;
  /** set when the server has no sync-collection and the ctag is used instead */
  ctag?: string;
  mode?: "sync-collection" | "ctag";
  objects: Record<string, ObjectRecord>;
  /** href → why it was not carried to the room, and the etag judged (re-judged when it changes) */
  skipped: Record<string, { etag?: string; reason: string }>;
}

export interface Credentials {
  username: string;
  password: string;
}

interface StoreFile {
  version: 1;
  bindings: Record<string, BindingSyncState>;
  credentials: Record<string, Credentials>;
}

function parseStoreFile(raw: unknown, path: string): StoreFile {
  if (!isObject(raw) || raw["version"] !== 1 || !isObject(raw["bindings"]) || !isObject(raw["credentials"])) {
    throw new Error(`${path}: not a calendar bot store (version 1); move it away to start a full resync`);
  }
  for (const [id, b] of Object.entries(raw["bindings"])) {
    if (!isObject(b) || !isObject(b["objects"]) || !isObject(b["skipped"])) throw new Error(`${path}: binding ${id} is malformed`);
  }
  return raw as unknown as StoreFile;
}

export class SyncStore {
  readonly path: string;
  #data: StoreFile;
  #writes = 0;

  private constructor(path: string, data: StoreFile) {
    this.path = path;
    this.#data = data;
  }

  static async open(path: string): Promise<SyncStore> {
    const text = await readTextIfExists(path);
    const data = text === undefined ? { version: 1 as const, bindings: {}, credentials: {} } : parseStoreFile(JSON.parse(text) as unknown, path);
    return new SyncStore(path, data);
  }

  binding(id: string): BindingSyncState {
    let b = this.#data.bindings[id];
    if (b === undefined) {
      b = { objects: {}, skipped: {} };
      this.#data.bindings[id] = b;
    }
    return b;
  }

  /**
   * The binding's state for this collection. Bound to another collection (another server, or the
   * demo's Radicale started afresh), the old etags and hrefs mean nothing there: forgotten, so the
   * room's events are created in the new collection instead of being read as deleted from it.
   */
  forCollection(id: string, collection: string): BindingSyncState {
    const b = this.binding(id);
    if (b.collection === collection) return b;
    if (b.collection !== undefined) this.#data.bindings[id] = { collection, objects: {}, skipped: {} };
    else b.collection = collection; // a store from before this field: same collection assumed
    return this.binding(id);
  }

  credentials(bindingId: string): Credentials | undefined {
    return this.#data.credentials[bindingId];
  }

  setCredentials(bindingId: string, c: Credentials): void {
    this.#data.credentials[bindingId] = { ...c };
  }

  /** number of times the file was written (the benchmark reports it) */
  get writes(): number {
    return this.#writes;
  }

  async save(): Promise<void> {
    await writeJsonFileAtomic(this.path, this.#data);
    this.#writes += 1;
  }
}
