// The dedicated worker of a dossier upload in parts: the file is read, encrypted (WebCrypto
// AES-CTR), its parts' ciphertexts hashed and PUT here, off the page's main thread, by the same
// ChunkedUpload the page would run (the next part prepared while one is PUT). The page
// (upload-worker-client.ts) keeps the state store and the controls; see upload-worker-messages.ts.
import { ChunkedUpload, fetchTransport, loadWebBackend, UPLOAD_CTR_CHUNK, UploadRelay, UploadStopped, webBackend } from "./protocol.ts";
import type { UploadState, UploadStateStore } from "../../../../appservices/files/src/chunked/upload-state.ts";
import { PARTS_IN_FLIGHT } from "./dossier-config.ts";
import type { FromUploadWorker, ToUploadWorker, UploadJob } from "./upload-worker-messages.ts";
import { opfsPartBodies, type OpfsPartBodies } from "./opfs-part-bodies.ts";

interface WorkerScope {
  postMessage(m: FromUploadWorker): void;
  addEventListener(type: "message", f: (e: { data: ToUploadWorker }) => void): void;
}
const scope = globalThis as unknown as WorkerScope;
const post = (m: FromUploadWorker): void => scope.postMessage(m);

let upload: ChunkedUpload | undefined;
/** The held parts' PUT bodies as files of the origin's private file system, where it has one (opfs-part-bodies.ts). */
let bodies: OpfsPartBodies | undefined;
/** A pause or cancel asked for while the upload was being created (backend loading): applied once it exists. */
let stopAsked: "paused" | "cancelled" | undefined;
let nextId = 0;
const waiting = new Map<number, () => void>();

/** The page's store, reached by messages: the uploader waits for each save as it would for localStorage. */
function pageStore(initial: UploadState | undefined): UploadStateStore {
  let current = initial;
  const ask = (state: UploadState | undefined): Promise<void> => new Promise((resolve) => {
    const id = nextId++;
    waiting.set(id, resolve);
    post({ type: "store", id, state });
  });
  return {
    load: () => Promise.resolve(current),
    save: (s) => ((current = structuredClone(s)), ask(s)),
    clear: () => ((current = undefined), ask(undefined)),
  };
}

/**
 * A part of the file as Blob.stream(), a byte stream: the uploader reads it with BYOB reads into
 * one reused 1 MiB buffer (ChunkedUpload `plaintext`), so no chunk is allocated. Blob.stream()'s
 * default reads hand out chunks of up to 2 MiB, each fresh memory (Chromium maps buffers of a
 * MiB or more afresh each time), i.e. a page fault per 4 KiB page, ≈ 11–15 µs each on the
 * project's VM. Dedicated worker, 256 MiB in 16 MiB parts (tests/bench/upload-alloc.ts, load 6–11):
 * default reads 0.36–1.19 renderer CPU s and 67–80 k page faults, BYOB reads into a reused 256 KiB
 * to 1 MiB buffer 0.14–0.40 s and 1–3 k faults (the browser's share alike, 0.3–0.5 s). Chromium 156
 * once sometimes never answered a BYOB read of a picked file's stream in a worker (about one 1 GiB
 * upload in five hung, December 2026): the uploader gives such a read up after `readStallMs` and goes
 * on with default reads (each chunk freed once encrypted: `freeSourceChunks`).
 */
const partRead = (file: Blob) => (offset: number, length: number): ReadableStream<Uint8Array> => file.slice(offset, offset + length).stream();

/**
 * The backend for this job. When every part is held (no part bigger than `holdParts`) and there is
 * no whole-file hash, nothing calls an incremental SHA-256: the ciphertext of each part is hashed
 * by WebCrypto's one-shot digest. The WebAssembly hasher is then not loaded, so a fresh worker at a
 * hand-over (one every `partsPerRun` parts) does not compile and instantiate a module it never uses.
 */
const backendFor = (job: UploadJob) => (job.partSize <= job.holdParts ? Promise.resolve(webBackend(globalThis.crypto.subtle, undefined, UPLOAD_CTR_CHUNK)) : loadWebBackend());

async function create(job: UploadJob): Promise<ChunkedUpload> {
  if (job.partSize <= job.holdParts && job.partsFolder !== undefined) bodies = await opfsPartBodies(job.partsFolder);
  const up = new ChunkedUpload({
    source: partRead(job.file), freeSourceChunks: true, name: job.name, mimetype: job.mimetype, size: job.file.size, partSize: job.partSize,
    transport: fetchTransport({ baseUrl: job.baseUrl, accessToken: job.accessToken, bufferParts: true }), store: pageStore(job.state),
    backend: await backendFor(job), holdParts: job.holdParts, wholeFileHash: false, concurrentParts: PARTS_IN_FLIGHT,
    // the page clears the state once the message is sent (dossiers-sdk.ts)
    keepStateUntilSent: true,
    partsPerRun: job.partsPerRun,
    ...(bodies !== undefined ? { partBodies: bodies } : {}),
  });
  up.addEventListener("progress", (e) => post({ type: "progress", detail: (e as CustomEvent<Extract<FromUploadWorker, { type: "progress" }>["detail"]>).detail }));
  up.addEventListener("phase", (e) => post({ type: "phase", detail: (e as CustomEvent<{ phase: string; reason?: string }>).detail }));
  return up;
}

/**
 * The upload's part files go once it is over (done, cancelled, failed); a pause keeps them, and so
 * does a relay: the next worker rewrites the same files (fresh files cost fresh memory each time).
 */
async function closeBodies(): Promise<void> {
  await bodies?.close();
  bodies = undefined;
}

async function start(job: UploadJob | undefined): Promise<void> {
  try {
    if (upload === undefined) {
      if (job === undefined) throw new Error("upload worker: no job");
      upload = await create(job);
    }
    const asked = stopAsked;
    stopAsked = undefined;
    if (asked === "cancelled") await upload.cancel();
    if (asked !== undefined) {
      post({ type: "stopped", phase: asked, message: `upload ${asked}` });
      return;
    }
    const { content } = await upload.start();
    await closeBodies();
    post({ type: "done", content });
  } catch (e: unknown) {
    if (e instanceof UploadRelay) {
      post({ type: "relay" });
      return;
    }
    if (!(e instanceof UploadStopped && e.phase === "paused")) await closeBodies();
    const message = e instanceof Error ? (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message) : String(e);
    post(e instanceof UploadStopped ? { type: "stopped", phase: e.phase, message } : { type: "stopped", message });
  }
}

scope.addEventListener("message", ({ data }) => {
  if (data.type === "start") void start(data.job);
  else if (data.type === "pause") {
    if (upload !== undefined) upload.pause();
    else stopAsked ??= "paused";
  } else if (data.type === "cancel") {
    if (upload !== undefined) void upload.cancel();
    else stopAsked = "cancelled";
  }
  else if (data.type === "stored") {
    waiting.get(data.id)?.();
    waiting.delete(data.id);
  }
});
post({ type: "ready" });
