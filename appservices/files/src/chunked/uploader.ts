// A large file sent as independently encrypted parts over asynchronous uploads, then a manifest.
// Parts go one after another; each is encrypted with a key kept in the upload state, so a part cut
// off by a network failure, a pause or a restart is sent again identically, and parts already
// acknowledged are never sent again. Progress and phase changes are DOM-style events.
import type { AttachmentBackend, CtrCipher, Sha256 } from "../attachments/backend.ts";
import { fromBase64, toBase64, toBase64Url } from "../attachments/base64.ts";
import { encryptingStream } from "../attachments/attachment-stream.ts";
import { releaseBuffer } from "../attachments/release-buffer.ts";
import type { EncryptedFile } from "../attachments/encrypted-file.ts";
import { MANIFEST_TYPE, partsMessageContent, planParts, type PartPlan, type PartsManifest } from "./manifest.ts";
import { MediaHttpError, type MediaTransport } from "./media-transport.ts";
import type { PartState, UploadedManifest, UploadState, UploadStateStore } from "./upload-state.ts";
import { ProgressMeter, type UploadProgress } from "./progress.ts";

/** Reads `length` bytes of the file from `offset` (Node: a file range; browser: File.slice().stream()). */
export type PartSource = (offset: number, length: number) => ReadableStream<Uint8Array>;

export const DEFAULT_PART_SIZE = 64 * 1024 * 1024;
/** Bytes between two progress events on the held path. */
const PROGRESS_STEP = 1024 * 1024;
/** Bytes per BYOB read on the held path (into one reused buffer). */
const READ_STEP = 1024 * 1024;
/** ChunkedUploadOptions `readStallMs` by default. */
const READ_STALL_MS = 10_000;

export interface ChunkedUploadOptions {
  source: PartSource;
  name: string;
  mimetype: string;
  size: number;
  transport: MediaTransport;
  store: UploadStateStore;
  backend: AttachmentBackend;
  partSize?: number;
  /** Attempts per part before the upload pauses itself (reason "network"). */
  attempts?: number;
  retryDelayMs?: number;
  /**
   * Browsers: a part of at most this many bytes is encrypted into memory (one buffer, reused),
   * its ciphertext hashed in one call (backend.digest: WebCrypto's native SHA-256, 3–4× the
   * WebAssembly hasher per CPU second) and PUT as a Blob. Bigger parts stream. 0: never.
   */
  holdParts?: number;
  /**
   * Write the whole file's plaintext SHA-256 in the manifest (default true). The web client says
   * false: hashing every plaintext byte cost its main thread ≈ 3.5 of 7.6 CPU s per GiB, every
   * byte is already covered by its part's ciphertext hash, and readers never needed it. Without
   * it, a resumed upload does not read the acknowledged parts again either.
   */
  wholeFileHash?: boolean;
  /**
   * Held parts PUT at once (default 1). Parts are still read, encrypted and hashed one at a time,
   * in order (they share the buffers); with 2, one part's PUT goes on while the next one's does,
   * so the homeserver and the browser's network work meanwhile. Only without the whole-file hash
   * (which needs the parts in order): forced to 1 with it.
   */
  concurrentParts?: number;
  /**
   * Keep the state in the store once the manifest is up (default false: cleared then), with the
   * manifest's upload in it (`state.manifest`); the caller clears it once the message is sent. A
   * start() on such a state returns the same result at once, sending nothing: an upload cut
   * between its manifest and its message (a page reload) is not lost.
   */
  keepStateUntilSent?: boolean;
  /**
   * Parts PUT by one start() at most (default: no limit). Once that many are started, no new part
   * is read; the ones in flight are answered and saved, then start() rejects with UploadRelay, the
   * phase left as it was ("uploading"): the caller goes on with a fresh uploader (the web client's
   * worker is replaced so its whole heap goes at once) from the saved state.
   */
  partsPerRun?: number;
  /**
   * The source's chunks are fresh buffers that nothing else reads (the web client's worker reads the
   * file in slices with Blob.arrayBuffer()): on the held path each is freed (detached) once
   * encrypted, rather than piling up until a garbage collection (release-buffer.ts). Default false.
   */
  freeSourceChunks?: boolean;
  /**
   * Where a held part's ciphertext goes for its PUT (default: `new Blob([ciphertext])`, a copy in
   * memory that the browser process copies again). The web client's worker writes it to a file of
   * the origin's private file system instead (client `opfs-part-bodies.ts`).
   */
  partBodies?: PartBodies;
  /**
   * A BYOB read of the source (held path) not answered within this many ms is given up: the rest
   * of the part, and every later one of this uploader, is read with a default reader from a new
   * source at the byte reached (default 10 s). Chromium 156 sometimes never answered a BYOB read of
   * a picked file's stream in a worker, and the upload hung. Infinity: never given up.
   */
  readStallMs?: number;
}

/** Makes held parts' PUT bodies (ChunkedUploadOptions `partBodies`). */
export interface PartBodies {
  /**
   * The PUT body of part `index` from its ciphertext. `ciphertext` is the uploader's reused buffer:
   * it must have been read (copied, written) when the promise resolves.
   */
  make(index: number, ciphertext: Uint8Array): Promise<Blob>;
  /** Part `index` is acknowledged, or its body dropped: the body made for it is not read again. */
  done(index: number): void;
}

export type UploadPhase = "idle" | "uploading" | "paused" | "done" | "cancelled";

export interface UploadResult {
  manifest: PartsManifest;
  manifestFile: EncryptedFile;
  /** The m.file content to send (see manifest.ts). */
  content: Record<string, unknown>;
}

export class UploadStopped extends Error {
  readonly phase: "paused" | "cancelled";
  constructor(phase: "paused" | "cancelled", cause?: unknown) {
    super(phase === "paused" ? "upload paused" : "upload cancelled", { cause });
    this.phase = phase;
  }
}

/** start() stopped after `partsPerRun` parts, every part it began acknowledged and saved: go on from the state. */
export class UploadRelay extends Error {
  constructor() {
    super("upload relayed: parts per run reached");
  }
}

export type { UploadProgress };

/** A held part ready to PUT: its ciphertext as a Blob, the ciphertext's SHA-256, the whole-file hash after its plaintext. */
interface PreparedPart {
  blob: Blob;
  sha256: string;
  whole: Sha256;
}

export class ChunkedUpload extends EventTarget {
  phase: UploadPhase = "idle";
  /** Parts PUT by this object (tests check that resuming skips acknowledged parts). */
  readonly putParts: number[] = [];
  /** BYOB reads given up (`readStallMs`); once one is, this uploader reads with default readers. */
  stalledReads = 0;
  private abort: AbortController | undefined;
  private readonly o: Required<Omit<ChunkedUploadOptions, "partSize" | "partBodies">> & { partSize: number; partBodies?: PartBodies };
  /** The held path's ciphertext buffer, kept from one part to the next (a Blob copies it). */
  private held: Uint8Array | undefined;
  /** The held path's BYOB read buffer (READ_STEP), kept from one read to the next. */
  private readRoom: ArrayBuffer | undefined;
  /** Held parts prepared or being prepared (read ahead, or by their own sendPart), by index. */
  private readonly preparing = new Map<number, Promise<PreparedPart>>();
  /** The last prepare queued: prepares run one after another (they share `held` and `plain`). */
  private chain: Promise<void> = Promise.resolve();

  constructor(o: ChunkedUploadOptions) {
    super();
    this.o = { attempts: 3, retryDelayMs: 1000, partSize: DEFAULT_PART_SIZE, holdParts: 0, wholeFileHash: true, concurrentParts: 1, keepStateUntilSent: false, partsPerRun: Infinity, freeSourceChunks: false, readStallMs: READ_STALL_MS, ...o };
  }

  /** Starts, or resumes from the stored state. Rejects with UploadStopped on pause/cancel/give-up. */
  async start(): Promise<UploadResult> {
    if (this.phase === "uploading") throw new Error("upload already running");
    const abort = (this.abort = new AbortController());
    // stops the parts still in flight when one fails for good (not the agent's pause)
    const stop = new AbortController();
    const signal = AbortSignal.any([abort.signal, stop.signal]);
    this.setPhase("uploading");
    try {
      const state = await this.loadState();
      if (state.manifest !== undefined) {
        // the manifest went up before (the message was not sent): the same result, nothing sent
        this.setPhase("done");
        return sentResult(state, state.manifest);
      }
      const plan = planParts(this.o.size, state.partSize);
      const meter = new ProgressMeter(this.o.size, plan.length);
      let whole = this.o.wholeFileHash ? this.o.backend.sha256() : noHash;
      await this.chain; // a part read ahead by a stopped run must be done with the buffers
      const window = this.o.wholeFileHash ? 1 : Math.max(1, this.o.concurrentParts);
      const inflight = new Set<Promise<void>>();
      let failure: { e: unknown } | undefined;
      let begun = 0;
      let relay = false;
      for (const [i, part] of plan.entries()) {
        const st = state.parts[part.index]!;
        if (st.sha256 !== undefined) {
          // Acknowledged before: read it again for the whole-file hash only (no upload).
          if (this.o.wholeFileHash) await this.o.source(part.offset, part.size).pipeTo(new WritableStream({ write: (c) => whole.update(c) }), { signal });
          meter.skip(part.size);
          continue;
        }
        if (begun >= this.o.partsPerRun) {
          relay = true;
          break;
        }
        while (inflight.size >= window) await Promise.race(inflight);
        if (failure !== undefined) break;
        // the last part of a relayed run reads nothing ahead (the next run does)
        const after = ++begun < this.o.partsPerRun ? plan[i + 1] : undefined;
        // with a window of 1 each part ends before the next starts: `whole` is the state after the previous one
        const sending: Promise<void> = this.sendPart(part, st, state, whole, meter, signal, after && { part: after, st: state.parts[after.index]! })
          .then((w) => {
            whole = w;
            meter.partDone();
            this.emitProgress(meter);
          }, (e: unknown) => {
            failure ??= { e };
            stop.abort();
          })
          .finally(() => inflight.delete(sending));
        inflight.add(sending);
      }
      await Promise.all(inflight);
      if (failure !== undefined) throw failure.e;
      if (relay) throw new UploadRelay();
      const result = await this.sendManifest(state, this.o.wholeFileHash ? whole.digest() : undefined, signal);
      if (this.o.keepStateUntilSent) {
        const m = result.manifest.sha256;
        state.manifest = { file: result.manifestFile, length: Number((result.content["info"] as { size: number }).size), ...(m !== undefined ? { sha256: m } : {}) };
        await this.o.store.save(state);
      } else await this.o.store.clear();
      this.setPhase("done");
      return result;
    } catch (e: unknown) {
      if (this.phase === "cancelled") throw new UploadStopped("cancelled", e);
      if (e instanceof UploadRelay) {
        if (!abort.signal.aborted) {
          this.phase = "idle"; // no event: for the caller the upload goes on
          throw e;
        }
        e = new UploadStopped("paused"); // paused while the last parts were in flight
      }
      this.setPhase("paused", abort.signal.aborted ? "user" : "network");
      throw e instanceof UploadStopped ? e : new UploadStopped("paused", e);
    } finally {
      this.abort = undefined;
      // a part being read ahead stops (its buffers are the next run's)
      if (this.preparing.size > 0) stop.abort();
      for (const [index, ready] of this.preparing) void ready.then(() => this.o.partBodies?.done(index), () => undefined);
      this.preparing.clear();
    }
  }

  pause(): void {
    this.abort?.abort();
  }

  async cancel(): Promise<void> {
    this.phase = "cancelled";
    this.abort?.abort();
    await this.o.store.clear();
    this.dispatchEvent(new CustomEvent("phase", { detail: { phase: "cancelled" } }));
  }

  private async loadState(): Promise<UploadState> {
    const { name, mimetype, size, partSize } = this.o;
    const stored = await this.o.store.load();
    if (stored && stored.name === name && stored.size === size && stored.partSize === partSize) return stored;
    const parts: PartState[] = planParts(size, partSize).map((p) => {
      const iv = new Uint8Array(16);
      iv.set(this.o.backend.randomBytes(8), 0);
      return { index: p.index, key: toBase64(this.o.backend.randomBytes(32)), iv: toBase64(iv) };
    });
    const state: UploadState = { version: 1, name, mimetype, size, partSize, parts };
    await this.o.store.save(state);
    return state;
  }

  private async sendPart(part: PartPlan, st: PartState, state: UploadState, whole: Sha256, meter: ProgressMeter, signal: AbortSignal, next?: { part: PartPlan; st: PartState }): Promise<Sha256> {
    let newIds = 0;
    const digest = this.o.backend.digest;
    /** The held path's encrypted part: made once, sent again as it is by a retry (same key, iv and bytes). */
    let prepared: PreparedPart | undefined;
    for (let attempt = 1; ; attempt++) {
      const hashing = whole.copy(); // the checkpoint is `whole`, untouched until this attempt succeeds
      let sent = 0;
      let dead = false; // a failed request may still pull a chunk: it must not count as sent
      try {
        if (st.mxc === undefined) {
          st.mxc = await this.o.transport.create(signal);
          await this.o.store.save(state);
        }
        if (part.size <= this.o.holdParts && digest !== undefined) {
          const count = (n: number): void => {
            sent += n;
            meter.add(n);
            this.emitProgress(meter);
          };
          if (prepared === undefined) {
            const ahead = this.preparing.get(part.index);
            prepared = await (ahead ?? this.prepare(part, st, whole.copy(), digest, count, signal));
            if (ahead !== undefined) count(part.size);
            // The next part is read, encrypted and hashed while this one is PUT (the network
            // service and the homeserver work meanwhile), unless its own sendPart runs already.
            if (next !== undefined && next.st.sha256 === undefined && next.part.size <= this.o.holdParts && !this.preparing.has(next.part.index)) {
              void this.prepare(next.part, next.st, prepared.whole.copy(), digest, () => undefined, signal);
            }
          } else count(part.size);
          this.putParts.push(part.index);
          const t = this.o.transport;
          await (t.putBlob ? t.putBlob(st.mxc, prepared.blob, signal) : t.put(st.mxc, prepared.blob.stream(), part.size, signal));
          st.sha256 = prepared.sha256;
          this.preparing.delete(part.index);
          this.o.partBodies?.done(part.index);
          await this.o.store.save(state);
          return prepared.whole;
        }
        // One transform does it all (plaintext hash, encryption, ciphertext hash, progress): each
        // stage of a pipe costs per chunk. Its outputs are fresh buffers only the transport reads,
        // so the transport may free each once sent (`owned`), and with `freeSourceChunks` each
        // source chunk is freed once encrypted: the memory comes back at once instead of at a
        // garbage collection, so the next chunk reuses it (fresh pages cost a fault each).
        const cipher = this.o.backend.aesCtr(fromBase64(st.key)!, fromBase64(st.iv)!);
        const ctHash = this.o.backend.sha256();
        const emit = (c: Uint8Array, ctl: TransformStreamDefaultController<Uint8Array>): void => {
          if (dead || c.length === 0) return;
          ctHash.update(c);
          sent += c.length;
          meter.add(c.length);
          this.emitProgress(meter);
          ctl.enqueue(c);
        };
        const free = this.o.freeSourceChunks;
        const body = this.o.source(part.offset, part.size).pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
          async transform(c, ctl) {
            hashing.update(c);
            const out = await cipher.update(c);
            if (free) releaseBuffer(c);
            emit(out, ctl);
          },
          async flush(ctl) {
            emit(await cipher.final(), ctl);
          },
        }));
        this.putParts.push(part.index);
        await this.o.transport.put(st.mxc, body, part.size, signal, true);
        st.sha256 = toBase64(ctHash.digest());
        await this.o.store.save(state);
        return hashing;
      } catch (e: unknown) {
        dead = true;
        meter.add(-sent);
        // a held part stopped or given up: its body is not sent again by this run
        const drop = (): void => void (prepared !== undefined && this.o.partBodies?.done(part.index));
        if (signal.aborted) {
          drop();
          throw new UploadStopped("paused", e);
        }
        // The id was claimed by a PUT that died with the server, or expired: take a new one.
        // Not a failed attempt: retried at once with a new id (once per part and run).
        if (e instanceof MediaHttpError && (e.errcode === "M_CANNOT_OVERWRITE_MEDIA" || e.status === 404)) {
          delete st.mxc;
          await this.o.store.save(state);
          if (newIds++ === 0) {
            attempt--;
            continue;
          }
        }
        // A PUT cut by the network (no HTTP answer) may have left its id claimed on the server; a
        // server answering 409 before reading the body shows up here as a reset too: the next
        // attempt takes a new id rather than meeting the claimed one again.
        if (!(e instanceof MediaHttpError) && st.mxc !== undefined) {
          delete st.mxc;
          await this.o.store.save(state);
        }
        if (attempt >= this.o.attempts) {
          drop();
          throw e;
        }
        await delay(this.o.retryDelayMs * attempt, signal).catch((stopped: unknown) => {
          drop();
          throw stopped;
        });
      }
    }
  }

  /** Queues the preparation of a held part after the others (see `chain`) and records it in `preparing`. */
  private prepare(part: PartPlan, st: PartState, whole: Sha256, digest: (b: Uint8Array) => Promise<Uint8Array>, onBytes: (n: number) => void, signal: AbortSignal): Promise<PreparedPart> {
    const ready = this.chain.then(() => this.prepareHeld(part, st, whole, digest, onBytes, signal));
    this.chain = ready.then(() => undefined, () => undefined);
    this.preparing.set(part.index, ready);
    // a failed prepare is dropped (its sendPart, or the next run, prepares the part again)
    ready.catch(() => this.preparing.get(part.index) === ready && this.preparing.delete(part.index));
    return ready;
  }

  /**
   * The held path (see `holdParts`): reads the part chunk by chunk, hashes the plaintext into `whole`
   * (returned), encrypts each chunk straight into one buffer (no plaintext kept: one chunk at a
   * time), hashes the ciphertext in one call. `onBytes` reports encrypted bytes, about every MiB (a
   * progress event per 64 KiB chunk costs the page a render each).
   */
  private async prepareHeld(part: PartPlan, st: PartState, whole: Sha256, digest: (b: Uint8Array) => Promise<Uint8Array>, onBytes: (n: number) => void, signal: AbortSignal): Promise<PreparedPart> {
    if (this.held === undefined || this.held.length < part.size) this.held = new Uint8Array(part.size);
    const buf = this.held.subarray(0, part.size);
    const cipher = this.o.backend.aesCtr(fromBase64(st.key)!, fromBase64(st.iv)!);
    let at = 0;
    let unreported = 0;
    const wrote = (n: number): void => {
      at += n;
      unreported += n;
      if (unreported >= PROGRESS_STEP) {
        onBytes(unreported);
        unreported = 0;
      }
    };
    for await (const chunk of this.plaintext(part, signal)) {
      whole.update(chunk);
      wrote(await encryptInto(cipher, chunk, buf.subarray(at)));
    }
    const last = await cipher.final();
    buf.set(last, at);
    wrote(last.length);
    onBytes(unreported);
    const sha256 = toBase64(await digest(buf));
    // new Blob() copies the bytes now, partBodies before it resolves: the buffer serves the next part.
    const blob = this.o.partBodies !== undefined ? await this.o.partBodies.make(part.index, buf) : new Blob([buf as Uint8Array<ArrayBuffer>]);
    return { blob, sha256, whole };
  }

  /**
   * The part's plaintext, chunk by chunk, exactly `size` bytes (else an error: the file changed).
   * Where the source is a byte stream (a browser's Blob.stream()) BYOB reads go into one reused
   * buffer, so no chunk is allocated; else the source's chunks as they come (freed once used with
   * `freeSourceChunks`). A BYOB read not answered within `readStallMs` is given up (its buffer with
   * it) and the part goes on from the byte reached with a default reader of a new source. A chunk
   * is only good until the next one is asked for.
   */
  private async *plaintext(part: PartPlan, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    const changed = (): Error => new Error(`part ${part.index}: the file does not have the ${part.size} bytes planned from byte ${part.offset} (changed since it was picked?)`);
    let stream = this.o.source(part.offset, part.size);
    let byob = this.stalledReads > 0 ? undefined : byobReader(stream);
    let reader: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader = byob ?? stream.getReader();
    let at = 0;
    let ended = false;
    try {
      for (;;) {
        if (signal.aborted) throw signal.reason;
        let r: { done: true; value?: Uint8Array | undefined } | { done: false; value: Uint8Array };
        if (byob !== undefined) {
          const room = this.readRoom ?? new ArrayBuffer(READ_STEP);
          this.readRoom = undefined; // a failed or stalled read takes it with it
          // past the planned size, one byte more must find the end
          const answer = await answeredWithin(byob.read(new Uint8Array(room, 0, Math.max(1, Math.min(READ_STEP, part.size - at)))), this.o.readStallMs);
          if (answer === undefined) {
            this.stalledReads++;
            // the stalled reader is dropped as it is (a cancel could stall too)
            void byob.cancel().catch(() => undefined);
            byob = undefined;
            stream = this.o.source(part.offset + at, part.size - at);
            reader = stream.getReader();
            continue;
          }
          r = answer;
          if (r.value !== undefined) this.readRoom = r.value.buffer as ArrayBuffer;
        } else r = await (reader as ReadableStreamDefaultReader<Uint8Array>).read();
        if (r.done) break;
        if (at + r.value.length > part.size) throw changed();
        at += r.value.length;
        yield r.value;
        if (byob === undefined && this.o.freeSourceChunks) releaseBuffer(r.value);
      }
      ended = true;
    } finally {
      // stopped early (a failed read, a changed file, the caller's error or abort): the source stops too
      if (!ended) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
    if (at !== part.size) throw changed();
  }

  private async sendManifest(state: UploadState, sha256: Uint8Array | undefined, signal: AbortSignal): Promise<UploadResult> {
    const manifest = manifestOf(state, sha256 === undefined ? undefined : toBase64(sha256));
    const bytes = new TextEncoder().encode(JSON.stringify(manifest));
    for (let attempt = 1; ; attempt++) {
      try {
        const enc = encryptingStream(this.o.backend);
        const mxc = await this.o.transport.create(signal);
        await this.o.transport.put(mxc, new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(enc.stream), bytes.length, signal);
        const manifestFile: EncryptedFile = { ...(await enc.info), url: mxc };
        return { manifest, manifestFile, content: partsMessageContent(manifest, manifestFile, bytes.length) };
      } catch (e: unknown) {
        if (signal.aborted || attempt >= this.o.attempts) throw e;
        await delay(this.o.retryDelayMs * attempt, signal);
      }
    }
  }

  private setPhase(phase: UploadPhase, reason?: string): void {
    if (this.phase === "cancelled") return;
    this.phase = phase;
    this.dispatchEvent(new CustomEvent("phase", { detail: { phase, ...(reason ? { reason } : {}) } }));
  }

  private emitProgress(meter: ProgressMeter): void {
    this.dispatchEvent(new CustomEvent<UploadProgress>("progress", { detail: meter.snapshot() }));
  }
}

/** The manifest of an upload whose parts are all acknowledged (the same from the same state). */
function manifestOf(state: UploadState, sha256: string | undefined): PartsManifest {
  const parts = planParts(state.size, state.partSize).map((p) => {
    const st = state.parts[p.index]!;
    const file: EncryptedFile = {
      v: "v2", url: st.mxc!, iv: st.iv, hashes: { sha256: st.sha256! },
      key: { kty: "oct", key_ops: ["encrypt", "decrypt"], alg: "A256CTR", k: toBase64Url(fromBase64(st.key)!), ext: true },
    };
    return { ...p, file };
  });
  return { type: MANIFEST_TYPE, version: 1, name: state.name, mimetype: state.mimetype, size: state.size, part_size: state.partSize, ...(sha256 === undefined ? {} : { sha256 }), parts };
}

/**
 * The result of an upload whose manifest went up in an earlier run (kept with `keepStateUntilSent`),
 * from its stored state alone (no file, no request): the message still to send.
 */
export function uploadedResult(state: UploadState): UploadResult | undefined {
  return state.manifest === undefined ? undefined : sentResult(state, state.manifest);
}

function sentResult(state: UploadState, m: UploadedManifest): UploadResult {
  const manifest = manifestOf(state, m.sha256);
  return { manifest, manifestFile: m.file, content: partsMessageContent(manifest, m.file, m.length) };
}

/** `cipher.updateInto` where the backend has it (its outputs freed at once), else update() copied into `out`. */
async function encryptInto(cipher: CtrCipher, input: Uint8Array, out: Uint8Array): Promise<number> {
  if (cipher.updateInto !== undefined) return cipher.updateInto(input, out);
  const c = await cipher.update(input);
  out.set(c);
  return c.length;
}

/** A BYOB reader of `stream` where it is a byte stream, else undefined. */
function byobReader(stream: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | undefined {
  try {
    return stream.getReader({ mode: "byob" });
  } catch {
    return undefined;
  }
}

/** `read`'s answer, or undefined when it has none within `ms` (it is then left to itself, its failure ignored). */
async function answeredWithin<T>(read: Promise<T>, ms: number): Promise<T | undefined> {
  // no timer past setTimeout's range (it would fire at once): Infinity waits for ever
  if (!(ms <= 0x7fffffff)) return read;
  read.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([read, stalled]);
  } finally {
    clearTimeout(timer);
  }
}

/** The whole-file hash when the manifest has none (`wholeFileHash: false`): updates cost nothing. */
const noHash: Sha256 = {
  update: () => undefined,
  digest: () => new Uint8Array(0),
  copy: () => noHash,
};

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), reject(new UploadStopped("paused"))), { once: true });
  });
}
