// Dossier file transfers in the page with @entente/files, no SDK: a file is encrypted as it is read
// (encryptingStream with loadWebBackend(): WebCrypto AES-CTR, SHA-256 in WebAssembly), the
// ciphertext gathered in a Blob (browsers stream request bodies only over HTTP/2; Chromium keeps
// big blobs on disk) and sent with XMLHttpRequest for upload progress. Above the threshold the
// file goes in parts with ChunkedUpload (asynchronous uploads, a manifest). Downloads decrypt as
// they arrive and check the ciphertext's SHA-256 (each part's and the whole file's for parts);
// saveDossierFile() streams them to disk (disk-sink.ts), each part written only once verified,
// and resumes a part cut by the network from where it stopped; where the service worker saves
// the file, the worker does that work itself (worker-download.ts) and the page follows.
import {
  ChunkedUpload, decryptingStream, DownloadIntegrityError, downloadAttachment, downloadParts, encryptingStream, fetchTransport, loadWebBackend, memoryStateStore, parseEncryptedFile,
  ProgressMeter, UploadStopped, type RetryInfo,
} from "./protocol.ts";
import { partSpool, openDiskSink, WorkerDownloadFailed, type DiskSink, type DiskSinkPreference } from "./disk-sink.ts";
import { PART_SIZE, PARTS_IN_FLIGHT, PARTS_PER_WORKER, partSizeFor } from "./dossier-config.ts";
import { workerUpload, type PartsUpload } from "./upload-worker-client.ts";
import { previewDownload } from "./preview-download.ts";
import type { UploadStateStore } from "../../../../appservices/files/src/chunked/upload-state.ts";
import type { TransferProgress } from "./dossiers-port.ts";
import type { FileVersion } from "./dossier-model.ts";

export interface MediaAccess { baseUrl: string; accessToken: string }

export class TransferCancelled extends Error {
  override name = "TransferCancelled";
}

/** The m.file / m.image content of an uploaded file, ready to send. */
export interface UploadedContent { content: Record<string, unknown> }

const BLOB_SLICE = 16 * 1024 * 1024;
/** Progress bars are updated at most this often (each update renders the transfer list). */
const PROGRESS_MS = 100;

/** Chunks into a Blob, handing a slice to the browser's blob store every 16 MiB. */
export function blobSink(type: string): { sink: WritableStream<Uint8Array>; blob: Promise<Blob> } {
  const done: Blob[] = [];
  let pending: Uint8Array<ArrayBuffer>[] = [];
  let size = 0;
  let resolve!: (b: Blob) => void;
  let reject!: (e: unknown) => void;
  const blob = new Promise<Blob>((res, rej) => ((resolve = res), (reject = rej)));
  blob.catch(() => undefined);
  const flush = (): void => {
    if (pending.length > 0) done.push(new Blob(pending));
    pending = [];
    size = 0;
  };
  const sink = new WritableStream<Uint8Array>({
    write(c) {
      pending.push(c as Uint8Array<ArrayBuffer>);
      size += c.length;
      if (size >= BLOB_SLICE) flush();
    },
    close() {
      flush();
      resolve(new Blob(done, { type }));
    },
    abort(e) {
      reject(e);
    },
  });
  return { sink, blob };
}

const counting = (onBytes: (n: number) => void): TransformStream<Uint8Array, Uint8Array> =>
  new TransformStream({ transform(c, ctl) { onBytes(c.length); ctl.enqueue(c); } });

/** The part of XMLHttpRequest used here (typed locally: the Node test build has no DOM library). */
interface Xhr {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  upload: { onprogress: ((e: { loaded: number }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  status: number;
  responseText: string;
  abort(): void;
  send(body: Blob): void;
}

function uploadResult(status: number, text: string): string {
  let j: { content_uri?: unknown; errcode?: unknown; error?: unknown } = {};
  try {
    j = JSON.parse(text) as typeof j;
  } catch {
    // not JSON: the status says it
  }
  if (status >= 200 && status < 300 && typeof j.content_uri === "string") return j.content_uri;
  throw new Error(`${typeof j.errcode === "string" ? j.errcode : `HTTP ${status}`}${typeof j.error === "string" ? `: ${j.error}` : ""}`);
}

/** POST /_matrix/media/v3/upload with upload progress (XMLHttpRequest; plain fetch where there is none); rejects TransferCancelled on abort. */
async function xhrUpload(m: MediaAccess, body: Blob, signal: AbortSignal, onProgress: (loaded: number) => void): Promise<string> {
  const url = `${m.baseUrl.replace(/\/+$/, "")}/_matrix/media/v3/upload`;
  const headers = { Authorization: `Bearer ${m.accessToken}`, "Content-Type": "application/octet-stream" };
  const X = (globalThis as { XMLHttpRequest?: new () => Xhr }).XMLHttpRequest;
  if (X === undefined) {
    const res = await fetch(url, { method: "POST", headers, body, signal }).catch((e: unknown) => { throw signal.aborted ? new TransferCancelled() : e; });
    onProgress(body.size);
    return uploadResult(res.status, await res.text());
  }
  return new Promise((resolve, reject) => {
    const xhr = new X();
    xhr.open("POST", url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      try {
        resolve(uploadResult(xhr.status, xhr.responseText));
      } catch (e: unknown) {
        reject(e);
      }
    };
    xhr.onerror = () => reject(new Error("network error"));
    xhr.onabort = () => reject(new TransferCancelled());
    signal.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

type Bitmap = { width: number; height: number; close(): void };
type Canvas = { getContext(k: "2d"): { drawImage(b: Bitmap, x: number, y: number, w: number, h: number): void } | null; convertToBlob(o: { type: string; quality?: number }): Promise<Blob> };

/** Pixel size and a small JPEG of an image (browser only); nothing for other files or unreadable images. */
async function imageThumbnail(file: File): Promise<{ w: number; h: number; thumb?: Blob; tw?: number; th?: number } | undefined> {
  const g = globalThis as { createImageBitmap?: (b: Blob) => Promise<Bitmap>; OffscreenCanvas?: new (w: number, h: number) => Canvas };
  if (!file.type.startsWith("image/") || g.createImageBitmap === undefined) return undefined;
  try {
    const bitmap = await g.createImageBitmap(file);
    const out: { w: number; h: number; thumb?: Blob; tw?: number; th?: number } = { w: bitmap.width, h: bitmap.height };
    if (g.OffscreenCanvas !== undefined && bitmap.width > 0 && bitmap.height > 0) {
      const scale = Math.min(1, 320 / Math.max(bitmap.width, bitmap.height));
      const tw = Math.max(1, Math.round(bitmap.width * scale));
      const th = Math.max(1, Math.round(bitmap.height * scale));
      const canvas = new g.OffscreenCanvas(tw, th);
      canvas.getContext("2d")?.drawImage(bitmap, 0, 0, tw, th);
      Object.assign(out, { thumb: await canvas.convertToBlob({ type: "image/jpeg", quality: 0.8 }), tw, th });
    }
    bitmap.close();
    return out;
  } catch {
    return undefined;
  }
}

/** Encrypts a Blob as it streams and uploads the ciphertext: the v2 `file` info with its url. */
async function encryptAndUpload(m: MediaAccess, data: Blob, signal: AbortSignal, onEncrypted: (n: number) => void, onUploaded: (n: number) => void): Promise<Record<string, unknown>> {
  const enc = encryptingStream(await loadWebBackend());
  const cipher = await new Response(data.stream().pipeThrough(counting(onEncrypted)).pipeThrough(enc.stream)).blob();
  if (signal.aborted) throw new TransferCancelled();
  const url = await xhrUpload(m, cipher, signal, onUploaded);
  return { ...(await enc.info), url };
}

/**
 * Uploads one file (streamed encryption; in parts above `threshold`) and returns the content of
 * the m.file / m.image message to send. `signal` cancels; a file in parts hands `control` its
 * pause/resume (it also pauses by itself when the network fails past its retries); its state goes
 * to `store` (pending-uploads.ts keeps it across a reload).
 */
export interface UploadControl { pause(): void; resume(): void }

export async function uploadDossierFile(m: MediaAccess, file: File, threshold: number, signal: AbortSignal, onProgress: (p: TransferProgress) => void, control?: (c: UploadControl) => void, store: UploadStateStore = memoryStateStore()): Promise<UploadedContent> {
  const mimetype = file.type || "application/octet-stream";
  // An abort listener never fires for a signal aborted already.
  if (signal.aborted) throw new TransferCancelled();
  if (file.size > threshold) {
    // Read, encrypted, hashed and sent by a dedicated worker (upload-worker.ts); in the page where there is none.
    const inWorker = await workerUpload({ baseUrl: m.baseUrl, accessToken: m.accessToken, file, name: file.name, mimetype, partSize: partSizeFor(threshold), holdParts: PART_SIZE, partsPerRun: PARTS_PER_WORKER }, store);
    const up: PartsUpload = inWorker ?? new ChunkedUpload({
      source: (o, l) => file.slice(o, o + l).stream(), name: file.name, mimetype, size: file.size, partSize: partSizeFor(threshold),
      transport: fetchTransport({ baseUrl: m.baseUrl, accessToken: m.accessToken, bufferParts: true }), store, backend: await loadWebBackend(), holdParts: PART_SIZE,
      // No whole-file plaintext SHA-256 in the manifest (docs/dossiers.md): it cost the page ≈ 3.5 CPU s per GiB.
      wholeFileHash: false, concurrentParts: PARTS_IN_FLIGHT,
      // the record stays until the message is sent (dossiers-sdk.ts): a reload in between loses nothing
      keepStateUntilSent: true,
    });
    try {
      return await uploadInParts(up, file, signal, onProgress, control);
    } finally {
      inWorker?.dispose();
    }
  }
  // Encryption and upload each count for the bar: the speed shown is the network's.
  const meter = new ProgressMeter(file.size, 1);
  let encrypted = 0;
  let uploaded = 0;
  const image = await imageThumbnail(file);
  const fileInfo = await encryptAndUpload(m, file, signal,
    (n) => { encrypted += n; onProgress({ phase: "encrypting", sentBytes: encrypted, totalBytes: file.size, bytesPerSecond: 0, remainingSeconds: undefined }); },
    (loaded) => {
      meter.add(loaded - uploaded);
      uploaded = loaded;
      const s = meter.snapshot();
      onProgress({ phase: "uploading", sentBytes: Math.min(loaded, file.size), totalBytes: file.size, bytesPerSecond: s.bytesPerSecond, remainingSeconds: s.remainingSeconds });
    });
  const info: Record<string, unknown> = { mimetype, size: file.size };
  if (image !== undefined) {
    info["w"] = image.w;
    info["h"] = image.h;
    if (image.thumb !== undefined) {
      info["thumbnail_file"] = await encryptAndUpload(m, image.thumb, signal, () => undefined, () => undefined);
      info["thumbnail_info"] = { mimetype: "image/jpeg", size: image.thumb.size, w: image.tw, h: image.th };
    }
  }
  onProgress({ phase: "sending", sentBytes: file.size, totalBytes: file.size, bytesPerSecond: 0, remainingSeconds: 0 });
  const msgtype = image !== undefined ? "m.image" : "m.file";
  return { content: { msgtype, body: file.name, filename: file.name, info, file: fileInfo } };
}

/** Drives an upload in parts (in the worker or the page): progress, pause and resume, cancel. */
async function uploadInParts(up: PartsUpload, file: File, signal: AbortSignal, onProgress: (p: TransferProgress) => void, control?: (c: UploadControl) => void): Promise<UploadedContent> {
  let last: TransferProgress = { phase: "uploading", sentBytes: 0, totalBytes: file.size, bytesPerSecond: 0, remainingSeconds: undefined };
  let shown = -Infinity;
  let pausedBy: "user" | "network" = "network";
  up.addEventListener("progress", (e) => {
    const d = (e as CustomEvent<{ sentBytes: number; totalBytes: number; bytesPerSecond: number; remainingSeconds: number | undefined }>).detail;
    last = { phase: "uploading", sentBytes: d.sentBytes, totalBytes: d.totalBytes, bytesPerSecond: d.bytesPerSecond, remainingSeconds: d.remainingSeconds };
    const now = performance.now();
    if (d.sentBytes !== d.totalBytes && now - shown < PROGRESS_MS) return;
    shown = now;
    onProgress(last);
  });
  up.addEventListener("phase", (e) => {
    const d = (e as CustomEvent<{ phase: string; reason?: string }>).detail;
    if (d.phase === "paused") pausedBy = d.reason === "user" ? "user" : "network";
  });
  let wake: (() => void) | undefined;
  let userPaused = false;
  control?.({ pause: () => { userPaused = true; up.pause(); }, resume: () => wake?.() });
  signal.addEventListener("abort", () => { void up.cancel(); wake?.(); }, { once: true });
  // aborted while the upload was being set up (the worker loading): the listener above never fires
  if (signal.aborted) {
    await up.cancel();
    throw new TransferCancelled();
  }
  for (;;) {
    try {
      const { content } = await up.start();
      return { content };
    } catch (e: unknown) {
      if (signal.aborted || (e instanceof UploadStopped && e.phase === "cancelled")) throw new TransferCancelled();
      if (!(e instanceof UploadStopped)) throw e;
      // Paused by the agent or by the network: wait for "Reprendre", then send the missing parts only.
      onProgress({ ...last, phase: "paused", bytesPerSecond: 0, remainingSeconds: undefined, pausedBy: userPaused ? "user" : pausedBy });
      await new Promise<void>((resolve) => { wake = resolve; });
      wake = undefined;
      userPaused = false;
      if (signal.aborted) throw new TransferCancelled();
      onProgress({ ...last, phase: "uploading" });
    }
  }
}

/** Downloads and decrypts one version; the Blob exists only if every hash matched. */
export async function downloadDossierFile(m: MediaAccess, v: FileVersion, onProgress?: (received: number, total: number | undefined) => void, signal?: AbortSignal): Promise<Blob> {
  const type = v.mimetype ?? "application/octet-stream";
  const transport = fetchTransport({ baseUrl: m.baseUrl, accessToken: m.accessToken });
  const backend = await loadWebBackend();
  const { sink, blob } = blobSink(type);
  // Decrypted bytes so far, for `onProgress` (a preview stops past its cap: the message's size is the sender's word).
  let received = 0;
  if (v.file === undefined) {
    if (v.url === undefined) throw new Error("this message has no file");
    await (await transport.get(v.url, signal)).pipeThrough(counting((n) => { received += n; onProgress?.(received, v.size); })).pipeTo(sink, signal ? { signal } : {});
    return blob;
  }
  const info = parseEncryptedFile(v.file);
  if (v.parts) {
    await downloadParts({ manifestFile: info, transport, backend, sink, holdParts: PART_SIZE, ...(signal ? { signal } : {}), ...(onProgress ? { onProgress: (r, t) => onProgress(r, t) } : {}) });
    return blob;
  }
  await (await transport.get(info.url, signal))
    .pipeThrough(decryptingStream(backend, info))
    .pipeThrough(counting((n) => { received += n; onProgress?.(received, v.size); }))
    .pipeTo(sink, signal ? { signal } : {});
  return blob;
}

/** A preview (thumbnail or image) that has not all come within this long is dropped. */
const PREVIEW_TIMEOUT_MS = 15_000;

/**
 * A small decrypted image for the list: the thumbnail when the message has one, else the image
 * itself if its message says it is small. Either is bounded by the bytes that really come, not by
 * the message's size (the sender's word): past `maxBytes` decrypted bytes the request is aborted
 * and this rejects PreviewTooLarge (preview-download.ts, as PDF previews). `signal` (the view
 * went) aborts the request too; this rejects with its reason.
 */
export async function previewBlob(m: MediaAccess, v: FileVersion, maxBytes = 8 * 1024 * 1024, signal?: AbortSignal): Promise<Blob | undefined> {
  if (v.msgtype !== "m.image" || v.parts) return undefined;
  const get = (x: FileVersion, onBytes: (received: number) => void, signal: AbortSignal): Promise<Blob> => downloadDossierFile(m, x, onBytes, signal);
  if (v.thumbnail !== undefined) {
    return previewDownload(get, { ...v, size: undefined, file: v.thumbnail, mimetype: "image/jpeg" }, { maxBytes, timeoutMs: PREVIEW_TIMEOUT_MS, ...(signal ? { signal } : {}) });
  }
  if (v.size === undefined || v.size > maxBytes) return undefined;
  return previewDownload(get, v, { maxBytes, timeoutMs: PREVIEW_TIMEOUT_MS, ...(signal ? { signal } : {}) });
}

/** A download's progress for the bar: bytes verified or being verified, speed, time left, a pending retry. */
export interface DownloadProgress {
  receivedBytes: number;
  totalBytes: number | undefined;
  bytesPerSecond: number;
  remainingSeconds: number | undefined;
  /** The network cut the transfer: the next try (from where it stopped) is in this many seconds. */
  retryInSeconds?: number;
}

/** A part (or the file) did not match its SHA-256: nothing unverified was written, the partial file is gone. */
export class DownloadCorrupted extends Error {
  override name = "DownloadCorrupted";
  readonly part: number | undefined;
  constructor(part: number | undefined, cause: unknown) {
    super(part === undefined ? "SHA-256 mismatch" : `SHA-256 mismatch in part ${part + 1}`, { cause });
    this.part = part;
  }
}

export interface SaveOptions {
  signal?: AbortSignal;
  /** "auto": save dialog where the browser has one, else the service worker; tests force one. */
  prefer?: DiskSinkPreference;
  /** Tries per part after network cuts (backoff 1, 2, 4… s). */
  attempts?: number;
  retryDelayMs?: number;
}

/**
 * Downloads one version straight to disk (disk-sink.ts), decrypting as it comes; each part is
 * written only once its SHA-256 matched, a part cut by the network goes on from where it stopped.
 * Call it from the click itself: the save dialog needs the click's user activation.
 * Resolves "cancelled" if the agent closed the save dialog; rejects DownloadCorrupted on a
 * hash mismatch (the partial file is dropped) or with the network's error after the last try.
 */
export async function saveDossierFile(m: MediaAccess, v: FileVersion, name: string, onProgress: (p: DownloadProgress) => void, o: SaveOptions = {}): Promise<{ saved: DiskSink["kind"] }> {
  const type = v.mimetype ?? "application/octet-stream";
  const attempts = o.attempts ?? 6;
  const retryDelayMs = o.retryDelayMs ?? 1000;
  // An encrypted file: where the service worker saves it, it downloads and decrypts it itself.
  const job = v.file === undefined ? undefined : { baseUrl: m.baseUrl, accessToken: m.accessToken, file: v.file, parts: v.parts, ...(v.size === undefined ? {} : { size: v.size }), attempts, retryDelayMs };
  const opened = await openDiskSink(name, type, v.size, o.prefer, job);
  if (opened.kind === "cancelled") return { saved: "cancelled" };
  const transport = fetchTransport({ baseUrl: m.baseUrl, accessToken: m.accessToken, blobBodies: true });
  const total = v.size;
  const meter = new ProgressMeter(total ?? 0, 1);
  let last = 0;
  let shown = -Infinity;
  const report = (received: number, retryInSeconds?: number): void => {
    meter.add(received - last);
    last = received;
    // The downloader reports every chunk read; the page renders ten times a second at most.
    const now = performance.now();
    if (retryInSeconds === undefined && received !== total && now - shown < PROGRESS_MS) return;
    shown = now;
    const s = meter.snapshot();
    onProgress({ receivedBytes: received, totalBytes: total, bytesPerSecond: retryInSeconds === undefined ? s.bytesPerSecond : 0, remainingSeconds: total === undefined || retryInSeconds !== undefined ? undefined : s.remainingSeconds, ...(retryInSeconds === undefined ? {} : { retryInSeconds }) });
  };
  try {
    if (opened.kind === "worker") {
      await opened.run({ onProgress: (r) => report(r), onRetry: (r, delayMs) => report(r, delayMs / 1000) }, o.signal);
      return { saved: "service-worker" };
    }
    if (v.file === undefined) {
      if (v.url === undefined) throw new Error("this message has no file");
      let received = 0;
      await (await transport.get(v.url, o.signal)).pipeThrough(counting((n) => report((received += n)))).pipeTo(opened.sink, o.signal ? { signal: o.signal } : {});
    } else {
      const common = {
        transport, backend: await loadWebBackend(), sink: opened.sink, spool: () => partSpool(), holdParts: PART_SIZE, verifyWholeFile: false, attempts, retryDelayMs,
        onRetry: (r: RetryInfo) => report(last, r.delayMs / 1000), onProgress: (r: number) => report(r), ...(o.signal ? { signal: o.signal } : {}),
      };
      const info = parseEncryptedFile(v.file);
      if (v.parts) await downloadParts({ manifestFile: info, ...common });
      else await downloadAttachment({ file: info, ...(total === undefined ? {} : { size: total }), ...common });
    }
  } catch (e: unknown) {
    // the agent's cancel, here or in the browser's download bar (the service worker's body was cancelled)
    if (o.signal?.aborted || (e instanceof WorkerDownloadFailed && e.code === "browser-cancelled")) throw new TransferCancelled();
    if (e instanceof DownloadIntegrityError) throw new DownloadCorrupted(e.part, e);
    if (e instanceof WorkerDownloadFailed && e.integrity !== undefined) throw new DownloadCorrupted(e.integrity.part, e);
    throw e;
  }
  await opened.done;
  return { saved: opened.kind };
}
