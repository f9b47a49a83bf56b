// Downloads to disk that did not finish: cut by a page reload (or a closed tab), or given up
// after the automatic retries. Kept per account in the origin's storage so the folder view can
// offer "Reprendre" after the reload. A record names what to fetch again (dossier, entry, version
// event), never any key or byte: the file's keys stay in the room's (encrypted) event.
//
// Resuming restarts the download from its start: the save dialog's file (File System Access) is
// dropped when its writer is aborted, and a service-worker download dies with the page, so no
// verified part survives the reload to go on from. The view says so in plain words.
import { StoredList, type KeyValueStorage } from "./stored-list.ts";

export interface PendingDownload {
  id: string;
  roomId: string;
  entryId: string;
  /** The version's event id (an entry may have several versions). */
  versionId: string;
  name: string;
  size: number | undefined;
  /** "reload": the page went away mid-download; "network": the retries gave up. */
  reason: "reload" | "network";
}

function parsePendingDownload(r: Record<string, unknown>): PendingDownload | undefined {
  const { id, roomId, entryId, versionId, name, size, reason } = r;
  if (typeof id !== "string" || typeof roomId !== "string" || typeof entryId !== "string" || typeof versionId !== "string" || typeof name !== "string") return undefined;
  return { id, roomId, entryId, versionId, name, size: typeof size === "number" ? size : undefined, reason: reason === "network" ? "network" : "reload" };
}

export class PendingDownloads {
  private readonly list: StoredList<PendingDownload>;
  /** Records of downloads running in this page (not "interrupted"). */
  private readonly running = new Set<string>();

  constructor(storage: KeyValueStorage, userId: string) {
    this.list = new StoredList(storage, `entente.dossier-downloads.${userId}`, parsePendingDownload);
  }

  /** Every stored record that still parses (a damaged one is dropped, never thrown). */
  all(): PendingDownload[] {
    return this.list.all();
  }

  forRoom(roomId: string): PendingDownload[] {
    return this.all().filter((p) => p.roomId === roomId);
  }

  /** The room's records not running in this page. */
  interrupted(roomId: string): PendingDownload[] {
    return this.forRoom(roomId).filter((p) => !this.running.has(p.id));
  }

  /**
   * Keeps a record while `run` goes: a reload leaves it ("reload"); retries that gave up turn it
   * to "network"; success, the agent's cancel and a failed hash check remove it (nothing to resume).
   */
  track<T>(what: Omit<PendingDownload, "id" | "reason">, run: Promise<T>): Promise<T> {
    const record: PendingDownload = { id: crypto.randomUUID(), ...what, reason: "reload" };
    this.put(record);
    this.running.add(record.id);
    return run.then((r) => {
      this.remove(record.id);
      return r;
    }, (e: unknown) => {
      const name = e instanceof Error ? e.name : "";
      if (name === "TransferCancelled" || name === "DownloadCorrupted") this.remove(record.id);
      else this.put({ ...record, reason: "network" });
      throw e;
    }).finally(() => this.running.delete(record.id));
  }

  put(p: PendingDownload): void {
    // one record per version: downloading it again replaces the old record
    this.write([...this.all().filter((o) => o.id !== p.id && !(o.roomId === p.roomId && o.versionId === p.versionId)), p]);
  }

  remove(id: string): void {
    this.write(this.all().filter((o) => o.id !== id));
  }

  private write(list: PendingDownload[]): void {
    // storage may be full or refused (private mode): a download goes on without its record
    try {
      this.list.write(list);
    } catch {
      // nothing to offer after a reload then
    }
  }
}
