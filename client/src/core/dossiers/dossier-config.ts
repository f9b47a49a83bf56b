// The dossier settings a council may put in the client's config.json:
// {"dossiers": {"large_file_threshold": 268435456, "part_size": 67108864}} (bytes). Above the
// threshold a file is sent in parts (docs/dossiers.md "Large files"). Parsed, not trusted.
export const DEFAULT_LARGE_FILE_THRESHOLD = 256 * 1024 * 1024;

export interface DossierConfig { largeFileThreshold: number }

export function parseDossierConfig(json: unknown): DossierConfig {
  const d = typeof json === "object" && json !== null ? (json as Record<string, unknown>)["dossiers"] : undefined;
  const t = typeof d === "object" && d !== null ? (d as Record<string, unknown>)["large_file_threshold"] : undefined;
  const ok = typeof t === "number" && Number.isSafeInteger(t) && t >= 16;
  return { largeFileThreshold: ok ? t : DEFAULT_LARGE_FILE_THRESHOLD };
}

/**
 * Parts of 16 MiB: the page holds a part whole while it encrypts or verifies it, so its SHA-256
 * is one WebCrypto call (native, 3–4× the WebAssembly hasher per CPU second) and the page's
 * memory stays within a few parts (dossier-transfer.ts, `holdParts`).
 */
export const PART_SIZE = 16 * 1024 * 1024;

/**
 * Parts PUT at once by an upload (ChunkedUpload `concurrentParts`; still read and encrypted one
 * at a time): while one part's request is in the homeserver, the next one's is on its way.
 */
export const PARTS_IN_FLIGHT = 2;

/**
 * Parts one upload worker sends before it is replaced by a fresh one (ChunkedUpload
 * `partsPerRun`; upload-worker-client.ts): whatever garbage the worker made is freed at once with
 * its heap (Chromium frees Blink-owned buffers and Blobs only at a full collection, which comes
 * late in a worker whose JS heap stays tiny). Every 4 parts while each part was a Blob and the file
 * was read in fresh chunks; since the parts go through reused files (opfs-part-bodies.ts), the file
 * is read into one reused buffer and WebCrypto's outputs are freed at once, little garbage is left,
 * and each hand-over costs a fresh worker, its 16 MiB part buffer (page faults) and an emptied
 * pipeline. 16 against 4, 1 GiB (dossier-web --upload-only, load 11–17): renderer page faults
 * 299–302 k against 353–354 k with a profile on disk, 595 k against 649 k in a fresh context;
 * renderer RSS peak growth +45…+53 MiB against +44…+48; 4 GiB (fresh context, load 14–17): +55 MiB.
 * The parts in flight are answered first: no PUT is cut.
 */
export const PARTS_PER_WORKER = 16;

/** Part size for a file above the threshold: PART_SIZE, or the threshold itself when smaller (a multiple of 16). */
export function partSizeFor(threshold: number): number {
  const p = Math.min(PART_SIZE, threshold);
  return Math.max(16, p - (p % 16));
}
