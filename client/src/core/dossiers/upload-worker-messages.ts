// The messages between the page and the dedicated upload worker (upload-worker.ts): the page hands
// the worker the File and the uploader's options once, the worker reads, encrypts, hashes and PUTs
// the parts (ChunkedUpload as in the page) and asks the page to store its state (localStorage,
// which a worker has not) before it goes on.
import type { UploadState } from "../../../../appservices/files/src/chunked/upload-state.ts";
import type { UploadProgress } from "./protocol.ts";

/** What the worker needs: the access token and the file stay in its memory for this upload only. */
export interface UploadJob {
  baseUrl: string;
  accessToken: string;
  file: File;
  name: string;
  mimetype: string;
  partSize: number;
  holdParts: number;
  /** Parts this worker sends before it asks to be replaced ("relay"; dossier-config.ts PARTS_PER_WORKER). */
  partsPerRun: number;
  /** The stored state to resume from (the page's store, loaded before the worker starts). */
  state: UploadState | undefined;
  /**
   * The folder of this upload's part files in the origin's private file system (opfs-part-bodies.ts),
   * the same for each of its workers so they rewrite the same files: "<start time in ms>-<random>".
   */
  partsFolder?: string;
}

/** Page → worker. "start" carries the job the first time; later ones resume. */
export type ToUploadWorker =
  | { type: "start"; job?: UploadJob }
  | { type: "pause" }
  | { type: "cancel" }
  /** The page stored (or cleared) the state of request `id`. */
  | { type: "stored"; id: number };

/** Worker → page. */
export type FromUploadWorker =
  | { type: "ready" }
  | { type: "progress"; detail: UploadProgress }
  | { type: "phase"; detail: { phase: string; reason?: string } }
  /** Store `state` (undefined: clear it), then answer "stored" with `id`. */
  | { type: "store"; id: number; state: UploadState | undefined }
  | { type: "done"; content: Record<string, unknown> }
  /** `partsPerRun` parts sent, answered and stored: end this worker, go on with a fresh one. */
  | { type: "relay" }
  /** start() rejected: UploadStopped ("paused"/"cancelled") or another error (`phase` absent). */
  | { type: "stopped"; phase?: "paused" | "cancelled"; message: string };
