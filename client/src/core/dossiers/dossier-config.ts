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
 * `partsPerRun`; upload-worker-client.ts): the parts' Blobs (their bytes held by the browser
 * process) are garbage that Chromium frees only at a full collection of the worker's heap, which
 * comes late (its JS heap stays tiny); a worker ended frees them all at once. (Its ArrayBuffers are
 * freed as they are used: release-buffer.ts in @entente/files.) The parts in flight are answered
 * first: no PUT is cut.
 */
export const PARTS_PER_WORKER = 4;

/** Part size for a file above the threshold: PART_SIZE, or the threshold itself when smaller (a multiple of 16). */
export function partSizeFor(threshold: number): number {
  const p = Math.min(PART_SIZE, threshold);
  return Math.max(16, p - (p % 16));
}
