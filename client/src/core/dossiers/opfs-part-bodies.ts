// The PUT bodies of an upload's held parts as files of the origin's private file system (OPFS),
// written from the upload worker with a synchronous access handle, instead of Blobs made in memory
// (ChunkedUpload `partBodies`, @entente/files uploader.ts).
//
// Why: a `new Blob([ciphertext])` is copied by the page's process into fresh memory, then into
// shared memory for the browser process, which copies it again into its own (fresh) memory; on the
// project's VM every 4 KiB page of fresh memory costs a page fault of ≈ 15 µs. A file written with
// a sync access handle goes straight from the worker's reused buffer to the file (one write call,
// into the kernel's page cache: the same few files are rewritten), and the network service reads it
// back through the browser. Dedicated worker, 256 MiB in 16 MiB parts PUT two at a time to a local
// sink, Chromium with a profile on disk (tests/bench/dossier-worker-steps.ts, PERSISTENT=1, load 10):
// Blob bodies 4.3–4.7 Chromium CPU s and ≈ 180 k page faults, these files 1.9 s and 5 k. In a
// private window (no profile on disk) Chromium keeps these files in the browser's memory: then about
// the cost of the Blobs.
//
// A few files ("slots") are reused in turn, by every worker of the upload (one folder per upload:
// new files for each worker cost fresh memory again, and in a private window, whose files live in
// the browser's memory, made this slower than the Blobs); a slot stays with its part until the
// uploader says the part is acknowledged or dropped (`done`), so a retried PUT re-reads the same
// bytes. With no free slot, or where the file system is refused (quota, a browser without it), a
// part falls back to a Blob in memory.

/** Sync access handle, as in lib.webworker (the client's build types the DOM only). */
interface SyncAccessHandle {
  write(buffer: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  close(): void;
}
interface FileHandle {
  createSyncAccessHandle(): Promise<SyncAccessHandle>;
  getFile(): Promise<File>;
}
interface DirectoryHandle {
  getDirectoryHandle(name: string, o?: { create?: boolean }): Promise<DirectoryHandle>;
  getFileHandle(name: string, o?: { create?: boolean }): Promise<FileHandle>;
  removeEntry(name: string, o?: { recursive?: boolean }): Promise<void>;
  entries(): AsyncIterable<[string, { kind: "file" | "directory" }]>;
}

/** The folder of the origin's private file system that holds every upload worker's part files. */
export const PARTS_FOLDER = "entente-upload-parts";
/**
 * An upload's folder left behind (a tab closed mid-upload) is removed by a later worker once it is
 * this old and nobody holds its Web Lock (`holdUploadFolder`: the page of a running or paused
 * upload does, for as long as the upload lives): the age only covers the moment between a folder's
 * name and its lock being granted. Where Web Locks are missing, after STALE_MS_UNLOCKED.
 */
const STALE_MS = 10 * 60 * 1000;
const STALE_MS_UNLOCKED = 24 * 60 * 60 * 1000;

/** The Web Lock held for upload folder `name` while its upload lives. */
export const folderLockName = (name: string): string => `${PARTS_FOLDER}/${name}`;

interface LockManager {
  request(name: string, cb: () => Promise<void>): Promise<void>;
  request(name: string, o: { ifAvailable: true }, cb: (lock: object | null) => Promise<void>): Promise<void>;
}
const locks = (): LockManager | undefined => (globalThis as unknown as { navigator?: { locks?: LockManager } }).navigator?.locks;

/**
 * Holds the Web Lock of upload folder `name` (the page, from an upload's start to its end, paused
 * included) so that no other upload's worker removes the folder as stale; the browser lets it go
 * with the page. Returns its release (nothing where Web Locks are missing).
 */
export function holdUploadFolder(name: string): () => void {
  const l = locks();
  if (l === undefined) return () => undefined;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  l.request(folderLockName(name), () => held).catch(() => undefined);
  return release;
}

export interface OpfsPartBodies {
  make(index: number, ciphertext: Uint8Array): Promise<Blob>;
  done(index: number): void;
  /** Removes the upload's files (once it is over). */
  close(): Promise<void>;
  /** Parts written to a file, parts that fell back to a Blob (tests). */
  readonly counts: { files: number; blobs: number };
}

/**
 * Part bodies in `slots` files of the upload's folder `name` ("<start time in ms>-<random>", the same
 * for each of its workers, one at a time), or undefined where the origin's private file system or its
 * sync access handles are not available (the uploader then makes Blobs).
 */
export async function opfsPartBodies(name: string, slots = 4): Promise<OpfsPartBodies | undefined> {
  const storage = (globalThis as unknown as { navigator?: { storage?: { getDirectory?: () => Promise<DirectoryHandle> } } }).navigator?.storage;
  if (storage?.getDirectory === undefined) return undefined;
  let top: DirectoryHandle;
  let dir: DirectoryHandle;
  try {
    top = await (await storage.getDirectory()).getDirectoryHandle(PARTS_FOLDER, { create: true });
    await removeStale(top, name);
    dir = await top.getDirectoryHandle(name, { create: true });
    // the sync handle exists only in a dedicated worker
    if (typeof (await dir.getFileHandle("slot-0", { create: true })).createSyncAccessHandle !== "function") throw new Error("no sync access handle");
  } catch {
    return undefined;
  }
  const free = Array.from({ length: slots }, (_, i) => i);
  const held = new Map<number, number>();
  const counts = { files: 0, blobs: 0 };
  const inMemory = (ciphertext: Uint8Array): Blob => {
    counts.blobs++;
    return new Blob([ciphertext as Uint8Array<ArrayBuffer>]);
  };
  const release = (index: number): void => {
    const slot = held.get(index);
    if (slot === undefined) return;
    held.delete(index);
    free.push(slot);
  };
  return {
    counts,
    async make(index, ciphertext) {
      const slot = held.get(index) ?? free.shift();
      if (slot === undefined) return inMemory(ciphertext);
      held.set(index, slot);
      try {
        const file = await dir.getFileHandle(`slot-${slot}`, { create: true });
        const h = await file.createSyncAccessHandle();
        try {
          // written over the slot's last part (its pages stay in the page cache), then cut to size
          let at = 0;
          while (at < ciphertext.length) {
            const n = h.write(ciphertext.subarray(at), { at });
            if (n <= 0) throw new Error("short write");
            at += n;
          }
          h.truncate(ciphertext.length);
        } finally {
          h.close();
        }
        counts.files++;
        return await file.getFile();
      } catch {
        release(index);
        return inMemory(ciphertext);
      }
    },
    done: release,
    async close() {
      await top.removeEntry(name, { recursive: true }).catch(() => undefined);
    },
  };
}

/**
 * Removes an upload's folder from the page (a cancel while no worker holds the upload, e.g. between
 * two workers); nothing where there is none or it is in use.
 */
export async function removeUploadFolder(name: string): Promise<void> {
  const storage = (globalThis as unknown as { navigator?: { storage?: { getDirectory?: () => Promise<DirectoryHandle> } } }).navigator?.storage;
  try {
    const top = await (await storage!.getDirectory!()).getDirectoryHandle(PARTS_FOLDER);
    await top.removeEntry(name, { recursive: true });
  } catch {
    // none, or in use: a later worker removes it once stale
  }
}

/**
 * Removes the folders of uploads that ended without closing (their name starts with their start
 * time): old enough and their Web Lock free, taken while the folder goes.
 */
async function removeStale(top: DirectoryHandle, mine: string): Promise<void> {
  const l = locks();
  for await (const [entry, h] of top.entries()) {
    if (entry === mine) continue;
    const started = Number(entry.split("-")[0]);
    if (h.kind !== "directory" || !Number.isFinite(started) || Date.now() - started <= (l === undefined ? STALE_MS_UNLOCKED : STALE_MS)) continue;
    const remove = (): Promise<void> => top.removeEntry(entry, { recursive: true }).catch(() => undefined);
    if (l === undefined) await remove();
    else await l.request(folderLockName(entry), { ifAvailable: true }, async (lock) => { if (lock !== null) await remove(); }).catch(() => undefined);
  }
}
