// A dossier download run INSIDE the download service worker (download-sw.ts): the page hands the
// worker the file's keys once (the manifest's or the attachment's v2 info, through a
// MessageChannel) and the worker fetches each part, checks its SHA-256, decrypts it and writes it
// straight into the body of the response the browser saves; the page only shows progress. Before,
// the page decrypted and the plaintext crossed to the worker through a transferable stream: a copy
// per chunk, and the renderer's RSS grew by ≈ 250 MiB per GiB of ArrayBuffers awaiting the
// collectors of both sides. Same downloader as the page (`downloadParts`, `downloadAttachment`):
// each part hash-checked before a byte of it is written, a part closed early resumed from its byte
// (Range), a reset one fetched again (parts come as Blobs: see @entente/files' getBlob).
// This file is the message format both sides share and the worker's half; the page's half is in
// disk-sink.ts (`openDiskSink(…, job)`).
import { DownloadIntegrityError, downloadAttachment, downloadParts, fetchTransport, loadWebBackend, parseEncryptedFile, webBackend, type RetryInfo } from "./protocol.ts";
import type { AttachmentBackend } from "../../../../appservices/files/src/attachments/backend.ts";
import { PART_SIZE } from "./dossier-config.ts";
import { partSpool } from "./disk-sink.ts";
import { MediaHttpError } from "../../../../appservices/files/src/chunked/media-transport.ts";

/** What the worker needs to fetch and decrypt one file: the access token and the keys stay in its memory for this download only. */
export interface WorkerJob {
  baseUrl: string;
  accessToken: string;
  /** The v2 encrypted attachment info: the manifest's when `parts`, else the file's. */
  file: unknown;
  parts: boolean;
  /** Plaintext size, when known (a single attachment's). */
  size?: number;
  attempts: number;
  retryDelayMs: number;
}

/** Worker → page, on the job's port. */
export type WorkerReport =
  | { type: "ready" }
  | { type: "progress"; received: number }
  | { type: "retry"; received: number; delayMs: number }
  | { type: "done" }
  /** Sent every `aliveMs` while the job runs, even when no byte comes: the page's liveness check. */
  | { type: "alive" }
  | { type: "failed"; code: WorkerFailure; message: string; status?: number; integrity?: { reason: DownloadIntegrityError["reason"]; part: number | undefined } };

/**
 * Why the worker's download stopped; the page turns it into a French or English sentence:
 * "not-requested" the browser never opened the download; "browser-cancelled" the agent cancelled
 * it in the browser's download bar (a cancellation, not a failure); "page-cancelled" the page asked;
 * "http" the media server answered `status`; "integrity" a hash check failed; "network" the
 * network or server stayed unreachable after the retries; "response" the worker could not build
 * the response; "stalled" the page heard nothing for too long (the
 * worker was stopped: time limit, crash, a new version); "other" anything else (network…).
 */
export type WorkerFailure = "not-requested" | "browser-cancelled" | "page-cancelled" | "http" | "network" | "integrity" | "response" | "stalled" | "other";

/** A Content-Type another member chose is used only if it is a plain `type/subtype` (a newline or a character above U+00FF makes Headers throw). */
export function safeMimetype(type: unknown): string {
  return typeof type === "string" && /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type : "application/octet-stream";
}

/** Page → worker, on the job's port. */
export type PageOrder = { type: "cancel" };

/**
 * Plaintext bytes per WebCrypto AES-CTR call and per write into the response body: one call's
 * output as it is. Each output is freed once the browser's download has taken it (released-body.ts),
 * so the next call of the same size reuses its memory (Chromium's allocator recycles sizes below
 * ~1 MiB): bigger calls no longer mean fresh pages, only fewer calls, chunks and thread hops.
 * 1 GiB (dossier-web), Chromium CPU s per download / service worker thread: 64 KiB 16.5–17.5 / 5.6–5.8
 * (load 11–16), 256 KiB 12.7 / 4.1 (load 15), 512 KiB 11.0 / 3.5 (load 12); the worker's page
 * faults the same (277 k: WebCrypto's digest copying each 16 MiB part). Before the outputs were
 * freed that way, 64 KiB was best (+122–129 MiB renderer RSS growth vs +139–141 for 512 KiB
 * joined from 8 calls, 256 MiB at load 8–13).
 */
export const DECRYPT_CALL = 512 * 1024;
/**
 * Part buffers of the held path (the downloader's heldBuffers): 2, the next part read while this
 * one is written. 1 (only the next part's request ahead) saves 16 MiB in the page but was slower:
 * 1 GiB alternated, load 7–10, 96 / 58 / 81 MB/s with two against 64 / 76 / 61 with one (renderer
 * RSS peak +53…+60 vs +38…+45 MiB); 4 GiB, +64 MiB and 87 MB/s (load 5.3) vs +52 MiB and 74 MB/s
 * (load 10.8). Both stay well under the page's 100 MB of issue 15.
 */
export const HELD_BUFFERS: 1 | 2 = 2;
/** Progress reports at most this often (the page renders ten times a second at most). */
const REPORT_MS = 100;

/**
 * Runs `job` into `sink` (the response body's writable side): resolves once every byte is written
 * and the sink closed; on a check failure or the last network error the sink is ABORTED (the
 * browser's download fails and drops its partial file) and `report` gets "failed".
 */
export async function runWorkerJob(job: WorkerJob, sink: WritableStream<Uint8Array>, report: (r: WorkerReport) => void, signal: AbortSignal): Promise<void> {
  let received = 0;
  let shown = 0;
  try {
    const common = {
      transport: fetchTransport({ baseUrl: job.baseUrl, accessToken: job.accessToken, blobBodies: true }), backend: decryptingBackend(await loadWebBackend()), sink, signal,
      spool: () => partSpool(), holdParts: PART_SIZE, heldBuffers: HELD_BUFFERS, verifyWholeFile: false, attempts: job.attempts, retryDelayMs: job.retryDelayMs, writeChunk: DECRYPT_CALL,
      onRetry: (r: RetryInfo) => report({ type: "retry", received, delayMs: r.delayMs }),
      onProgress: (r: number) => {
        received = r;
        const now = Date.now();
        if (now - shown < REPORT_MS) return;
        shown = now;
        report({ type: "progress", received });
      },
    };
    const file = parseEncryptedFile(job.file);
    if (job.parts) await downloadParts({ manifestFile: file, ...common });
    else await downloadAttachment({ file, ...(job.size === undefined ? {} : { size: job.size }), ...common });
    report({ type: "progress", received });
    report({ type: "done" });
  } catch (e: unknown) {
    // A failure before the downloader took the sink (bad keys, no backend) must fail the download too.
    await sink.abort(e).catch(() => undefined);
    report(failureReport(e, signal));
  }
}

/** The web backend with AES-CTR calls of DECRYPT_CALL bytes (its own default suits the upload). */
function decryptingBackend(base: AttachmentBackend): AttachmentBackend {
  return { ...base, aesCtr: webBackend(globalThis.crypto.subtle, base.sha256, DECRYPT_CALL).aesCtr };
}

/** The "failed" report of an error: a code the page translates, the English detail kept for the console. */
export function failureReport(e: unknown, signal?: AbortSignal): Extract<WorkerReport, { type: "failed" }> {
  const message = e instanceof Error ? e.message : String(e);
  const reason: unknown = signal?.aborted ? signal.reason : undefined;
  if (reason instanceof WorkerStop) return { type: "failed", code: reason.code, message };
  if (e instanceof DownloadIntegrityError) return { type: "failed", code: "integrity", message, integrity: { reason: e.reason, part: e.part } };
  if (e instanceof MediaHttpError && e.status > 0) return { type: "failed", code: "http", message, status: e.status };
  if (e instanceof MediaHttpError || e instanceof TypeError) return { type: "failed", code: "network", message }; // a cut connection, fetch's "Failed to fetch"
  return { type: "failed", code: "other", message };
}

/** The abort reason the service worker gives the job's signal: who stopped it. */
export class WorkerStop extends Error {
  readonly code: "page-cancelled" | "browser-cancelled";
  constructor(code: "page-cancelled" | "browser-cancelled") {
    super(code === "page-cancelled" ? "cancelled by the page" : "cancelled in the browser's download bar");
    this.code = code;
  }
}
