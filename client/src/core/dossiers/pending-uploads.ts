// Uploads in parts that a page reload (or a closed tab) interrupted, kept in the origin's storage
// so they can go on: where the file goes (dossier, folder or entry it is a version of), its name,
// size and threshold, and the uploader's state (the parts' keys and ivs, acknowledged parts). The
// file itself is not kept: the agent picks it again and it must have the same name and size. The
// state holds keys of a file not yet published: it lives next to the session's own secrets, per
// account, and goes as soon as the upload ends or is abandoned.
import type { UploadState, UploadStateStore } from "../../../../appservices/files/src/chunked/upload-state.ts";
import { parseUploadState } from "../../../../appservices/files/src/chunked/upload-state.ts";
import { StoredList, type KeyValueStorage } from "./stored-list.ts";

export type { KeyValueStorage } from "./stored-list.ts";

export interface PendingUpload {
  id: string;
  roomId: string;
  parent: string | undefined;
  versionOf: string | undefined;
  name: string;
  size: number;
  threshold: number;
  state: UploadState | undefined;
  /** The File's `lastModified` when the upload started (absent in records from before): a file edited in place keeps its size, not this. */
  lastModified?: number;
}

/**
 * Whether the file picked to resume is still the one whose upload started: same name and size,
 * and the same `lastModified` when the record has one. Without the whole-file hash the parts
 * already acknowledged are not read again, so a file edited in place (same size) would otherwise
 * mix two versions undetected; it must start over.
 */
export function resumeVerdict(p: PendingUpload, file: { name: string; size: number; lastModified: number }): "same" | "not-same-file" | "changed" {
  if (file.name !== p.name || file.size !== p.size) return "not-same-file";
  return p.lastModified !== undefined && file.lastModified !== p.lastModified ? "changed" : "same";
}

const optString = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function parsePendingUpload(r: Record<string, unknown>): PendingUpload | undefined {
  if (typeof r["id"] !== "string" || typeof r["roomId"] !== "string" || typeof r["name"] !== "string"
    || typeof r["size"] !== "number" || typeof r["threshold"] !== "number") return undefined;
  return { id: r["id"], roomId: r["roomId"], parent: optString(r["parent"]), versionOf: optString(r["versionOf"]), name: r["name"], size: r["size"], threshold: r["threshold"], state: parseUploadState(r["state"]), ...(typeof r["lastModified"] === "number" ? { lastModified: r["lastModified"] } : {}) };
}

export class PendingUploads {
  private readonly list: StoredList<PendingUpload>;

  constructor(storage: KeyValueStorage, userId: string) {
    this.list = new StoredList(storage, `entente.dossier-uploads.${userId}`, parsePendingUpload);
  }

  /** Every stored record that still parses (a damaged one is dropped, never thrown). */
  all(): PendingUpload[] {
    return this.list.all();
  }

  forRoom(roomId: string): PendingUpload[] {
    return this.all().filter((p) => p.roomId === roomId);
  }

  get(id: string): PendingUpload | undefined {
    return this.all().find((p) => p.id === id);
  }

  put(p: PendingUpload): void {
    this.list.write([...this.all().filter((o) => o.id !== p.id), p]);
  }

  remove(id: string): void {
    this.list.write(this.all().filter((o) => o.id !== id));
  }

  /** The uploader's state store for one record: saving updates it, clearing removes the record. */
  stateStore(id: string): UploadStateStore {
    return {
      load: async () => this.get(id)?.state,
      save: async (state) => {
        const p = this.get(id);
        if (p !== undefined) this.put({ ...p, state });
      },
      clear: async () => this.remove(id),
    };
  }
}

/** Parts acknowledged / parts in all, for "3 / 16 parties envoyées". */
export function partsProgress(p: PendingUpload): { done: number; total: number } {
  const parts = p.state?.parts ?? [];
  return { done: parts.filter((x) => x.sha256 !== undefined).length, total: parts.length };
}
