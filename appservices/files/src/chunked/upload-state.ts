// What a chunked upload remembers between attempts, page reloads and process restarts. It holds
// the parts' keys (so a retried part is encrypted to the same ciphertext): keep it private
// (file-state-store.ts writes 0600; a browser keeps it in the origin's IndexedDB).
import { parseEncryptedFile, type EncryptedFile } from "../attachments/encrypted-file.ts";

export interface PartState {
  index: number;
  /** Reserved with /create; replaced when the server refuses it (409 after a crash mid-PUT). */
  mxc?: string;
  key: string;
  iv: string;
  /** Set once the PUT succeeded: the ciphertext's sha256 (unpadded base64). */
  sha256?: string;
}

export interface UploadState {
  version: 1;
  name: string;
  mimetype: string;
  size: number;
  partSize: number;
  parts: PartState[];
  /**
   * Set once the manifest is stored, when the uploader keeps its state until the caller has sent
   * the message (ChunkedUploadOptions.keepStateUntilSent): the manifest's upload, so a start()
   * after a reload gives the same message content without sending anything again.
   */
  manifest?: UploadedManifest;
}

export interface UploadedManifest {
  file: EncryptedFile;
  /** The manifest's plaintext length (the message's info.size). */
  length: number;
  /** The whole file's SHA-256 written in it, if any (unpadded base64). */
  sha256?: string;
}

export interface UploadStateStore {
  load(): Promise<UploadState | undefined>;
  save(state: UploadState): Promise<void>;
  clear(): Promise<void>;
}

export function memoryStateStore(): UploadStateStore & { current(): UploadState | undefined } {
  let s: string | undefined;
  return {
    load: async () => (s === undefined ? undefined : (JSON.parse(s) as UploadState)),
    save: async (state) => void (s = JSON.stringify(state)),
    clear: async () => void (s = undefined),
    current: () => (s === undefined ? undefined : (JSON.parse(s) as UploadState)),
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parses stored state (it may come from an older run or be damaged); undefined if unusable. */
export function parseUploadState(raw: unknown): UploadState | undefined {
  if (!isRecord(raw) || raw["version"] !== 1 || !Array.isArray(raw["parts"])) return undefined;
  const { name, mimetype, size, partSize } = raw;
  if (typeof name !== "string" || typeof mimetype !== "string" || typeof size !== "number" || typeof partSize !== "number") return undefined;
  const parts: PartState[] = [];
  for (const p of raw["parts"] as unknown[]) {
    if (!isRecord(p) || typeof p["index"] !== "number" || typeof p["key"] !== "string" || typeof p["iv"] !== "string") return undefined;
    const part: PartState = { index: p["index"], key: p["key"], iv: p["iv"] };
    if (typeof p["mxc"] === "string") part.mxc = p["mxc"];
    if (typeof p["sha256"] === "string") part.sha256 = p["sha256"];
    parts.push(part);
  }
  const manifest = parseUploadedManifest(raw["manifest"]);
  if (manifest === null) return undefined;
  return { version: 1, name, mimetype, size, partSize, parts, ...(manifest !== undefined ? { manifest } : {}) };
}

/** undefined: none stored; null: stored but damaged (the whole state is then unusable). */
function parseUploadedManifest(raw: unknown): UploadedManifest | undefined | null {
  if (raw === undefined) return undefined;
  if (!isRecord(raw) || typeof raw["length"] !== "number" || (raw["sha256"] !== undefined && typeof raw["sha256"] !== "string")) return null;
  try {
    const file = parseEncryptedFile(raw["file"]);
    return { file, length: raw["length"], ...(typeof raw["sha256"] === "string" ? { sha256: raw["sha256"] } : {}) };
  } catch {
    return null;
  }
}
