// Downloads a file sent in parts into a sink, streamed: the manifest first, then each part
// decrypted as it arrives and checked against its ciphertext hash and size, and at the end the
// whole file's SHA-256. On any mismatch the sink is ABORTED (a file sink then drops its temp file).
//
// Two options for browsers (Node callers need neither):
// - `spool`: a part's plaintext is gathered in a spool (a disk-backed Blob in a browser) and
//   reaches the sink only once the part's hash is checked, so unverified bytes never reach the
//   file on disk;
// - `attempts`: a part cut by the network is fetched again FROM WHERE IT STOPPED (Range when the
//   transport has `getFrom`, else from its start with the bytes already read skipped), with the
//   decryption and the hash going on where they were: no byte is read into the hash twice.
//   With a transport's `getBlob` (browsers), held parts come as Blobs: a connection closed early
//   still goes on from its byte, a reset loses the bytes of that request (the part starts again
//   from the last completed request, its start at worst).
import type { AttachmentBackend } from "../attachments/backend.ts";
import { fromBase64 } from "../attachments/base64.ts";
import { decryptingStream } from "../attachments/attachment-stream.ts";
import { releaseBuffer } from "../attachments/release-buffer.ts";
import { AttachmentError, keysOf, type EncryptedFile } from "../attachments/encrypted-file.ts";
import { ManifestError, parseManifest, type PartsManifest } from "./manifest.ts";
import { MediaHttpError, type MediaTransport } from "./media-transport.ts";

/** Bytes per BYOB read on the held path. */
const SCRATCH = 1024 * 1024;
/** A manifest is small (about 400 bytes a part); more than this is refused unread. */
const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;

/** Where a part's plaintext waits for its hash check (see `spool` above). */
export interface PartSpool {
  write(chunk: Uint8Array): void | Promise<void>;
  /** Copies what was written (verified by now) into the sink, then empties itself. */
  drainTo(sink: WritableStreamDefaultWriter<Uint8Array>): Promise<void>;
  /** Forgets what was written (the part failed). */
  clear(): void;
}

export interface RetryInfo {
  /** 1 for the first retry of this part. */
  attempt: number;
  /** The part being fetched again (0 for a single attachment). */
  part: number;
  /** Ciphertext bytes of the part already read, not fetched again. */
  resumeAt: number;
  delayMs: number;
  error: unknown;
}

export interface DownloadOptions {
  manifestFile: EncryptedFile;
  transport: MediaTransport;
  backend: AttachmentBackend;
  sink: WritableStream<Uint8Array>;
  signal?: AbortSignal;
  onProgress?: (receivedBytes: number, totalBytes: number) => void;
  spool?: () => PartSpool;
  /** Fetches per part (and for the manifest) before giving up; 1 (no retry) by default. */
  attempts?: number;
  /** Backoff: delay before retry n is retryDelayMs × 2^(n-1), at most 30 s. */
  retryDelayMs?: number;
  onRetry?: (r: RetryInfo) => void;
  /**
   * Also check the manifest's SHA-256 of the whole plaintext (default true). Every byte is already
   * covered by its part's ciphertext hash (the manifest, itself hash-checked, gives each part's key
   * and hash); a browser skips this second pass over the bytes. A manifest without `sha256`
   * (what the web client writes) has nothing to check: skipped whatever this says.
   */
  verifyWholeFile?: boolean;
  /**
   * Browsers: a part of at most this many bytes is read whole into memory (one buffer, reused),
   * its ciphertext hashed in one call (backend.digest: WebCrypto's native SHA-256) and only then
   * decrypted into the sink, `writeChunk` bytes at a time: no spool and no WebAssembly hashing.
   * Bigger parts (and backends without digest) take the streamed path.
   */
  holdParts?: number;
  /**
   * Held parts with getBlob: 2 (default) reads the next part into a second buffer while this one
   * is checked and written; 1 only makes the next part's request ahead (its bytes wait in the
   * browser as a Blob) and reads it into the one buffer once this part is written: 16 MiB less in
   * the page, the read no longer overlapped. Without getBlob, always 2.
   */
  heldBuffers?: 1 | 2;
  /** Plaintext bytes per sink write on the held path (default 512 KiB: below the size where Chromium's allocator maps each buffer on its own). */
  writeChunk?: number;
  /**
   * The sink is done with a chunk once its write has resolved (it copies it, or writes it to a
   * file and awaits that; not a sink that keeps chunks): each plaintext chunk (the decryption's
   * own buffer) is then freed at once, so the next one reuses its memory rather than fresh pages
   * (Node: release-buffer.ts). Not with a spool. Default false.
   */
  freeWrittenChunks?: boolean;
}

/** Why a download stopped on a check (not the network): the part, and a reason for the UI. */
export class DownloadIntegrityError extends Error {
  readonly part: number | undefined;
  readonly reason: "hash_mismatch" | "size_mismatch" | "whole_hash_mismatch";
  constructor(reason: DownloadIntegrityError["reason"], part: number | undefined, message: string) {
    super(message);
    this.reason = reason;
    this.part = part;
  }
}

export async function fetchManifest(transport: MediaTransport, backend: AttachmentBackend, manifestFile: EncryptedFile, signal?: AbortSignal): Promise<PartsManifest> {
  const chunks: Uint8Array[] = [];
  let n = 0;
  await (await transport.get(manifestFile.url, signal)).pipeThrough(decryptingStream(backend, manifestFile)).pipeTo(new WritableStream({
    write(c) {
      n += c.length;
      if (n > MAX_MANIFEST_BYTES) throw new ManifestError("parts manifest: too large");
      chunks.push(c);
    },
  }));
  const bytes = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) {
    bytes.set(c, o);
    o += c.length;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new ManifestError("parts manifest: not JSON");
  }
  return parseManifest(raw);
}

interface Ctx {
  transport: MediaTransport;
  backend: AttachmentBackend;
  writer: WritableStreamDefaultWriter<Uint8Array>;
  signal: AbortSignal | undefined;
  spool: PartSpool | undefined;
  attempts: number;
  retryDelayMs: number;
  onRetry: ((r: RetryInfo) => void) | undefined;
  /** Plaintext bytes decrypted so far (all parts); goes back only when a spooled part is dropped. */
  onBytes: (delta: number) => void;
  freeWritten: boolean;
  holdParts: number;
  heldBuffers: 1 | 2;
  writeChunk: number;
  /** The held path's part buffers (two: the next part is read while one is written; one with getBlob and heldBuffers 1) and BYOB scratch buffers, kept for reuse. */
  buffers: Uint8Array[];
  scratches: Uint8Array[];
}

/** Retries `fn` (a network step) with backoff; integrity errors and aborts are not retried. */
async function withRetries<T>(c: Ctx, part: number, resumeAt: () => number, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e: unknown) {
      if (c.signal?.aborted || attempt >= c.attempts || !retryable(e)) throw e;
      const delayMs = Math.min(30_000, c.retryDelayMs * 2 ** (attempt - 1));
      c.onRetry?.({ attempt, part, resumeAt: resumeAt(), delayMs, error: e });
      await delay(delayMs, c.signal);
    }
  }
}

function retryable(e: unknown): boolean {
  if (e instanceof DownloadIntegrityError || e instanceof AttachmentError || e instanceof ManifestError) return false;
  // 4xx other than 404/408/429 will not get better by asking again.
  if (e instanceof MediaHttpError) return e.status === 0 || e.status >= 500 || e.status === 404 || e.status === 408 || e.status === 429;
  return true;
}

/**
 * One encrypted attachment into the sink (or the spool): hashed and decrypted as it arrives; a
 * network cut resumes from the last byte read. Returns the plaintext hashed into `whole`.
 */
async function fetchPart(c: Ctx, index: number, file: EncryptedFile, size: number | undefined, whole: { update(b: Uint8Array): void } | undefined): Promise<void> {
  if (heldPath(c, size)) return writeHeld(c, index, file, await receiveHeld(c, index, file, size), whole);
  const keys = keysOf(file);
  const cipher = c.backend.aesCtr(keys.key, keys.iv);
  const hash = c.backend.sha256();
  let read = 0; // ciphertext bytes hashed and decrypted
  const out = async (plain: Uint8Array): Promise<void> => {
    if (plain.length === 0) return;
    whole?.update(plain);
    if (c.spool) await c.spool.write(plain);
    else {
      await c.writer.write(plain);
      if (c.freeWritten) releaseBuffer(plain);
    }
    c.onBytes(plain.length);
  };
  // Socket-sized chunks (64 KiB) are gathered into one reused buffer and hashed, decrypted and
  // written a MiB at a time: a sixteenth of the calls and sink writes. The transport's own chunks
  // are freed once copied (`ownedChunks`), so the next socket read reuses their memory.
  const scratch = pooledScratch(c);
  let gathered = 0;
  const flush = async (): Promise<void> => {
    if (gathered === 0) return;
    const ct = scratch.subarray(0, gathered);
    gathered = 0;
    hash.update(ct);
    await out(await cipher.update(ct));
  };
  const release = c.transport.ownedChunks === true;
  await withRetries(c, index, () => read, async () => {
    const { body, skip } = await openFrom(c, file, read);
    try {
      await eachChunk(body, skip, index, async (chunk) => {
        if (size !== undefined && read + chunk.length > size) throw new DownloadIntegrityError("size_mismatch", index, `part ${index}: more than ${size} bytes`);
        read += chunk.length;
        for (let o = 0; o < chunk.length;) {
          const n = Math.min(chunk.length - o, scratch.length - gathered);
          scratch.set(chunk.subarray(o, o + n), gathered);
          gathered += n;
          o += n;
          if (gathered === scratch.length) await flush();
        }
        if (release) releaseBuffer(chunk);
      });
    } finally {
      // the bytes gathered before a cut are good: the next attempt goes on after them
      await flush();
    }
    // A connection closed early looks like a clean end: with the size known, it is a cut to resume.
    if (size !== undefined && read < size) throw new MediaHttpError(0, undefined, `part ${index}: connection closed after ${read} of ${size} bytes`);
  });
  c.scratches.push(scratch);
  await out(await cipher.final());
  if (!equal(hash.digest(), keys.sha256)) throw new DownloadIntegrityError("hash_mismatch", index, `part ${index}: SHA-256 of the ciphertext does not match`);
  if (size !== undefined && read !== size) throw new DownloadIntegrityError("size_mismatch", index, `part ${index}: ${read} bytes, expected ${size}`);
  if (c.spool) await c.spool.drainTo(c.writer);
}

/** True when the part goes the held path (see `holdParts`). */
const heldPath = (c: Ctx, size: number | undefined): size is number => size !== undefined && size <= c.holdParts && c.backend.digest !== undefined;

/**
 * The held path, first half: the part's ciphertext into a buffer of the pool (a cut resumes at
 * the byte where it stopped). Progress counts bytes as they arrive.
 */
async function receiveHeld(c: Ctx, index: number, file: EncryptedFile, size: number, prefetched?: Promise<Blob>): Promise<Uint8Array> {
  let held: Uint8Array = c.buffers.pop() ?? new Uint8Array(size);
  if (held.byteLength < size) held = new Uint8Array(size);
  let read = 0;
  // A request that fails as a Blob loses all its bytes (a reset rejects the whole body): the part's
  // next attempts stream instead, which resume from the byte reached, so a link cut more often than
  // a part takes still gets through (as before parts came as Blobs).
  let streamFromNow = false;
  await withRetries(c, index, () => read, async () => {
    const from = read;
    const into = (n: number): void => {
      read += n;
      c.onBytes(n);
    };
    if (c.transport.getBlob !== undefined && !streamFromNow) {
      // The part as a Blob (kept by the browser), then read into the buffer: see getBlob.
      try {
        // the part's first request may have been made ahead (downloadParts), its failure counts as this attempt's
        const first = prefetched;
        prefetched = undefined;
        const blob = await (first ?? c.transport.getBlob(file.url, from, c.signal));
        if (from + blob.size > size) throw new DownloadIntegrityError("size_mismatch", index, `part ${index}: more than ${size} bytes`);
        held = await readBlobInto(blob, held, from, into, index);
      } catch (e: unknown) {
        streamFromNow = true;
        if (held.byteLength < size) {
          // a BYOB read that failed took the buffer with it (transferred): the bytes read so far are gone
          c.onBytes(-read);
          read = 0;
          held = new Uint8Array(size);
        }
        throw e;
      }
      if (read < size) throw new MediaHttpError(0, undefined, `part ${index}: connection closed after ${read} of ${size} bytes`);
      return;
    }
    const { body, skip } = await openFrom(c, file, from);
    const byob = skip === 0 ? byobReader(body) : undefined;
    if (byob === undefined) await readCopying(body, held, from, skip, size, into, index);
    else {
      // a failed read takes its scratch buffer with it: the pool only gets back the ones returned
      const scratch = pooledScratch(c);
      c.scratches.push(await readInto(byob, scratch, held, from, size, into, index));
    }
    if (read < size) throw new MediaHttpError(0, undefined, `part ${index}: connection closed after ${read} of ${size} bytes`);
  });
  return held.subarray(0, size);
}

/** The held path, second half: the ciphertext's hash checked, then decrypted into the sink; nothing is written before the hash matched. */
async function writeHeld(c: Ctx, index: number, file: EncryptedFile, bytes: Uint8Array, whole: { update(b: Uint8Array): void } | undefined): Promise<void> {
  const keys = keysOf(file);
  if (!equal(await c.backend.digest!(bytes), keys.sha256)) throw new DownloadIntegrityError("hash_mismatch", index, `part ${index}: SHA-256 of the ciphertext does not match`);
  const cipher = c.backend.aesCtr(keys.key, keys.iv);
  const write = async (plain: Uint8Array): Promise<void> => {
    if (plain.length === 0) return;
    whole?.update(plain);
    await c.writer.write(plain);
    if (c.freeWritten) releaseBuffer(plain);
  };
  for (let o = 0; o < bytes.length; o += c.writeChunk) await write(await cipher.update(bytes.subarray(o, Math.min(bytes.length, o + c.writeChunk))));
  await write(await cipher.final());
  c.buffers.push(new Uint8Array(bytes.buffer, bytes.byteOffset));
}

/** A BYOB reader where the body is a byte stream (Chromium's and Node's fetch): bytes land in the part's buffer, no chunk allocated. */
function byobReader(body: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | undefined {
  try {
    return body.getReader({ mode: "byob" });
  } catch {
    return undefined; // not a byte stream
  }
}

/**
 * A Blob's bytes into `buf` from byte `at`: BYOB reads straight into `buf` where Blob.stream() is
 * a byte stream (Chromium: no chunk allocated), else chunks copied in. A BYOB read transfers the
 * buffer: the returned view (same offset and length) is `buf`'s memory from now on.
 */
async function readBlobInto(blob: Blob, buf: Uint8Array, at: number, onRead: (n: number) => void, index: number): Promise<Uint8Array> {
  const end = at + blob.size;
  const stream = blob.stream() as ReadableStream<Uint8Array>;
  const byob = byobReader(stream);
  if (byob === undefined) {
    await readCopying(stream, buf, at, 0, end, onRead, index);
    return buf;
  }
  // a transferred view reads as empty: its offset and length are kept aside
  const { byteOffset, length } = buf;
  try {
    while (at < end) {
      const r = await byob.read(new Uint8Array(buf.buffer as ArrayBuffer, byteOffset + at, end - at));
      const value = r.value as Uint8Array<ArrayBuffer> | undefined;
      if (value !== undefined) buf = new Uint8Array(value.buffer, byteOffset, length);
      if (r.done || value === undefined) break;
      at += value.length;
      onRead(value.length);
    }
  } finally {
    await byob.cancel().catch(() => undefined);
  }
  return buf;
}

/**
 * A scratch buffer from the pool, or a new one. A pooled one may be detached (length 0): a BYOB read
 * that ended `{ done: true, value: undefined }` (a stream cancelled while the read was pending)
 * keeps the buffer it was given, so readInto returned it transferred; gathering into a zero-length
 * scratch would make no progress (an endless loop).
 */
export function pooledScratch(c: { scratches: Uint8Array[] }): Uint8Array {
  for (let s = c.scratches.pop(); s !== undefined; s = c.scratches.pop()) if (s.byteLength > 0) return s;
  return new Uint8Array(SCRATCH);
}

/**
 * Reads the body into `buf` from byte `at` up to `size` with a BYOB reader through `scratch` (the
 * reusable buffer each read transfers and hands back; a failed read loses only it, never the
 * bytes of the part already read). Returns the scratch to keep. One byte more than `size` fails.
 */
async function readInto(reader: ReadableStreamBYOBReader, scratch: Uint8Array, buf: Uint8Array, at: number, size: number, onRead: (n: number) => void, index: number): Promise<Uint8Array> {
  try {
    for (;;) {
      const r = await reader.read(new Uint8Array(scratch.buffer as ArrayBuffer, 0, scratch.byteLength));
      const done = r.done;
      const value = r.value as Uint8Array<ArrayBuffer> | undefined;
      if (value !== undefined) scratch = new Uint8Array(value.buffer);
      if (done || value === undefined) return scratch;
      if (at + value.length > size) throw new DownloadIntegrityError("size_mismatch", index, `part ${index}: more than ${size} bytes`);
      buf.set(value, at);
      at += value.length;
      onRead(value.length);
    }
  } catch (e: unknown) {
    await reader.cancel(e).catch(() => undefined);
    throw e;
  }
}

/** The same with a default reader (chunks copied into `buf`), after skipping `skip` bytes (a re-fetch without Range). */
async function readCopying(body: ReadableStream<Uint8Array>, buf: Uint8Array, at: number, skip: number, size: number, onRead: (n: number) => void, index: number): Promise<void> {
  await eachChunk(body, skip, index, (chunk) => {
    if (at + chunk.length > size) throw new DownloadIntegrityError("size_mismatch", index, `part ${index}: more than ${size} bytes`);
    buf.set(chunk, at);
    at += chunk.length;
    onRead(chunk.length);
  });
}

/**
 * The part's body from byte `from`: a Range request where the transport has one, else the whole
 * body with the `skip` bytes already read to drop.
 */
async function openFrom(c: Ctx, file: EncryptedFile, from: number): Promise<{ body: ReadableStream<Uint8Array>; skip: number }> {
  if (from > 0 && c.transport.getFrom) return { body: await c.transport.getFrom(file.url, from, c.signal), skip: 0 };
  return { body: await c.transport.get(file.url, c.signal), skip: from };
}

/** Every chunk of `body` after its first `skip` bytes; a failing `onChunk` cancels the body. */
async function eachChunk(body: ReadableStream<Uint8Array>, skip: number, index: number, onChunk: (chunk: Uint8Array) => Promise<void> | void): Promise<void> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let chunk = value;
      if (skip > 0) {
        const n = Math.min(skip, chunk.length);
        skip -= n;
        chunk = chunk.subarray(n);
        if (chunk.length === 0) continue;
      }
      await onChunk(chunk);
    }
  } catch (e: unknown) {
    await reader.cancel(e).catch(() => undefined);
    throw e;
  }
  if (skip > 0) throw new MediaHttpError(0, undefined, `part ${index}: the server sent fewer bytes than before`);
}

function context(o: Omit<DownloadOptions, "manifestFile" | "onProgress">, writer: WritableStreamDefaultWriter<Uint8Array>, onBytes: (d: number) => void): Ctx {
  return {
    transport: o.transport, backend: o.backend, writer, signal: o.signal, spool: o.spool?.(),
    attempts: Math.max(1, o.attempts ?? 1), retryDelayMs: o.retryDelayMs ?? 1000, onRetry: o.onRetry, onBytes,
    holdParts: o.holdParts ?? 0, heldBuffers: o.heldBuffers ?? 2, writeChunk: o.writeChunk ?? 512 * 1024, buffers: [], scratches: [], freeWritten: o.freeWrittenChunks === true,
  };
}

export async function downloadParts(o: DownloadOptions): Promise<PartsManifest> {
  let total = 0;
  return intoSink(o, () => total, async (c) => {
    const manifest = await withRetries(c, -1, () => 0, () => fetchManifest(o.transport, o.backend, o.manifestFile, o.signal));
    total = manifest.size;
    const whole = o.verifyWholeFile === false || manifest.sha256 === undefined ? undefined : o.backend.sha256();
    // Held parts: the next one is fetched while this one is checked and written (the network and
    // the homeserver work meanwhile), read into a second buffer; with getBlob and heldBuffers 1
    // only its request goes ahead: its bytes wait in the browser as a Blob and are read into the
    // ONE part buffer once this part is written (16 MiB less in the page).
    let next: Promise<Uint8Array> | undefined;
    let nextBlob: Promise<Blob> | undefined;
    for (const [i, part] of manifest.parts.entries()) {
      c.spool?.clear();
      const received = next;
      next = undefined;
      const prefetched = nextBlob;
      nextBlob = undefined;
      if (received === undefined && !heldPath(c, part.size)) {
        await fetchPart(c, part.index, part.file, part.size, whole);
        continue;
      }
      const bytes = await (received ?? receiveHeld(c, part.index, part.file, part.size, prefetched));
      const after = manifest.parts[i + 1];
      if (after !== undefined && heldPath(c, after.size)) {
        if (c.transport.getBlob !== undefined && c.heldBuffers === 1) {
          nextBlob = c.transport.getBlob(after.file.url, 0, c.signal);
          nextBlob.catch(() => undefined); // awaited in the next part's first attempt; a failure surfaces (and is retried) there
        } else {
          next = receiveHeld(c, after.index, after.file, after.size);
          next.catch(() => undefined); // awaited at the next turn; a failure before then surfaces there
        }
      }
      await writeHeld(c, part.index, part.file, bytes, whole);
    }
    const expected = manifest.sha256 === undefined ? undefined : fromBase64(manifest.sha256);
    if (whole !== undefined && (!expected || !equal(expected, whole.digest()))) throw new DownloadIntegrityError("whole_hash_mismatch", undefined, "parts manifest: the whole file's SHA-256 does not match");
    return manifest;
  });
}

/** A single v2 attachment (not in parts) with the same guarantees: spooled until verified, resumed after a cut. */
export async function downloadAttachment(o: Omit<DownloadOptions, "manifestFile"> & { file: EncryptedFile; size?: number }): Promise<void> {
  // `size` is the plaintext size from the event: CTR keeps it, so it bounds the ciphertext too.
  await intoSink(o, () => o.size ?? 0, (c) => fetchPart(c, 0, o.file, o.size, undefined));
}

/**
 * Runs `body` against o.sink: progress reported as received of total(), the sink closed when body
 * succeeds, aborted (spool cleared) when it throws or o.signal aborts.
 */
async function intoSink<T>(o: Omit<DownloadOptions, "manifestFile">, total: () => number, body: (c: Ctx) => Promise<T>): Promise<T> {
  const writer = o.sink.getWriter();
  let received = 0;
  const c = context(o, writer, (d) => {
    received += d;
    o.onProgress?.(received, total());
  });
  const abortListener = (): void => void writer.abort(o.signal?.reason).catch(() => undefined);
  o.signal?.addEventListener("abort", abortListener, { once: true });
  try {
    const result = await body(c);
    await writer.close();
    return result;
  } catch (e: unknown) {
    c.spool?.clear();
    await writer.abort(e).catch(() => undefined);
    throw e;
  } finally {
    o.signal?.removeEventListener("abort", abortListener);
  }
}

/** An in-memory spool (tests, Node): holds one part. Browsers use a Blob-backed one. */
export function memorySpool(): PartSpool {
  let chunks: Uint8Array[] = [];
  return {
    write: (c) => void chunks.push(c),
    async drainTo(w) {
      const list = chunks;
      chunks = [];
      for (const c of list) await w.write(c);
    },
    clear: () => void (chunks = []),
  };
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
