// Where a downloaded dossier file goes: straight to disk, so the page's memory stays flat whatever
// the size. In order of preference:
// 1. the File System Access API (`showSaveFilePicker`, Chromium desktop): the agent picks where;
//    the browser writes into a temporary file and renames it on close; abort() removes it;
// 2. the download service worker (download-sw.ts, built to dist/download-sw.js): a hidden frame
//    opens the worker's URL and the browser's own download manager writes what the worker answers
//    (a failed body fails the download, the partial file is dropped). With a `job` (a dossier
//    file: its keys), the WORKER fetches, verifies and decrypts it (worker-download.ts) and the
//    page only follows the progress; without, the page hands the worker a transferable stream;
// 3. a Blob then a link click (no service worker: private windows of some browsers).
// The downloader writes only verified parts into the sink (spool below), so what reaches the disk
// has passed its SHA-256.

import type { PageOrder, WorkerFailure, WorkerJob, WorkerReport } from "./worker-download.ts";

/** What the page hears of a download the service worker runs itself. */
export interface WorkerEvents {
  onProgress(received: number): void;
  onRetry(received: number, delayMs: number): void;
}

/** The worker's download stopped: `code` says why (the view translates it), `integrity` when a check failed (nothing unverified was written). */
export class WorkerDownloadFailed extends Error {
  override name = "WorkerDownloadFailed";
  readonly code: WorkerFailure;
  readonly status: number | undefined;
  readonly integrity: Extract<WorkerReport, { type: "failed" }>["integrity"];
  constructor(r: Extract<WorkerReport, { type: "failed" }>) {
    super(r.message);
    this.code = r.code;
    this.status = r.status;
    this.integrity = r.integrity;
  }
}

/**
 * With no message from the worker for this long, the page fails the download ("stalled"): the
 * worker reports progress every 100 ms and "alive" every quarter of it (10 s at most) even when
 * no byte comes, so silence means it was stopped (Chromium's time limit, a crash, a new version
 * that knows nothing of the download). The view then offers « Reprendre ». Tests shorten it with
 * localStorage `entente.download-stall-ms`.
 */
export const STALL_MS = 45_000;

function stallMs(): number {
  try {
    const v = Number((globalThis as { localStorage?: { getItem(k: string): string | null } }).localStorage?.getItem("entente.download-stall-ms"));
    return Number.isFinite(v) && v >= 400 ? v : STALL_MS;
  } catch {
    return STALL_MS;
  }
}

/** A sink and how it was made; `cancelled` when the agent closed the save dialog. */
export type DiskSink = { kind: "picker" | "service-worker" | "blob"; sink: WritableStream<Uint8Array>; done: Promise<void> } | { kind: "cancelled" };
/** With a `job`, the service worker downloads it itself: `run` resolves when it has written the last byte. */
export type WorkerSink = { kind: "worker"; run(events: WorkerEvents, signal?: AbortSignal): Promise<void> };

// The DOM parts used here, typed locally: the root type check (Node tests) has no DOM library.
interface SaveFilePickerWindow {
  showSaveFilePicker?: (o: { suggestedName: string }) => Promise<{ createWritable(): Promise<WritableStream<Uint8Array>> }>;
}
interface Worker_ {
  state: string;
  postMessage(message: unknown, transfer?: unknown[]): void;
  addEventListener(type: "statechange", f: () => void): void;
}
interface Port_ {
  onmessage: ((e: { data: unknown }) => void) | null;
  postMessage(m: unknown): void;
  close(): void;
}
interface Page_ {
  addEventListener(type: "pagehide", f: () => void): void;
  removeEventListener(type: "pagehide", f: () => void): void;
  navigator?: { webdriver?: boolean; serviceWorker?: { register(url: string, o: { scope: string }): Promise<{ active: Worker_ | null; waiting: Worker_ | null; installing: Worker_ | null }> } };
  MessageChannel: new () => { port1: Port_; port2: unknown };
  document: { baseURI: string; body: { append(e: unknown): void }; createElement(tag: "iframe"): { hidden: boolean; title: string; src: string; remove(): void }; createElement(tag: "a"): { href: string; download: string; rel: string; click(): void } };
}
const page = globalThis as unknown as Page_;

const SW_URL = "./download-sw.js";
const SW_SCOPE = "./__entente_download__/";
const MiB = 1024 * 1024;

/** Tests and the bench force a path (headless Chromium has no save dialog). */
export type DiskSinkPreference = "auto" | "service-worker" | "blob";

/**
 * Opens the sink. MUST be the first await after the agent's click: the save dialog needs the
 * click's user activation.
 */
export async function openDiskSink(name: string, mimetype: string, size: number | undefined, prefer?: DiskSinkPreference): Promise<DiskSink>;
export async function openDiskSink(name: string, mimetype: string, size: number | undefined, prefer: DiskSinkPreference | undefined, job: WorkerJob | undefined): Promise<DiskSink | WorkerSink>;
export async function openDiskSink(name: string, mimetype: string, size: number | undefined, prefer: DiskSinkPreference = "auto", job?: WorkerJob): Promise<DiskSink | WorkerSink> {
  const w = globalThis as unknown as SaveFilePickerWindow;
  // A browser driven by automation (navigator.webdriver) cannot answer the native dialog: headless
  // Chromium has the function but its promise never settles.
  const automated = page.navigator?.webdriver === true;
  if (prefer === "auto" && typeof w.showSaveFilePicker === "function" && !automated) {
    let handle;
    try {
      handle = await w.showSaveFilePicker({ suggestedName: name });
    } catch (e: unknown) {
      if (e instanceof Error && e.name === "AbortError") return { kind: "cancelled" };
      handle = undefined; // refused (e.g. no user activation any more): fall through to the worker
    }
    if (handle !== undefined) {
      const sink = await handle.createWritable();
      return { kind: "picker", sink, done: Promise.resolve() };
    }
  }
  if (prefer !== "blob") {
    if (job !== undefined) {
      const sw = await activeWorker().catch(() => undefined);
      if (sw !== undefined) return { kind: "worker", run: (events, signal) => runInWorker(sw, name, mimetype, size, job, events, signal) };
    }
    const sw = await serviceWorkerSink(name, mimetype, size).catch(() => undefined);
    if (sw !== undefined) return { kind: "service-worker", ...sw };
  }
  return { kind: "blob", ...blobDownloadSink(name, mimetype) };
}

let registration: Promise<Worker_> | undefined;

async function activeWorker(): Promise<Worker_> {
  const container = page.navigator?.serviceWorker;
  if (container === undefined) throw new Error("no service worker");
  registration ??= (async () => {
    const reg = await container.register(SW_URL, { scope: SW_SCOPE });
    const sw = reg.active ?? reg.waiting ?? reg.installing;
    if (sw === null) throw new Error("service worker not installed");
    if (sw.state !== "activated") {
      await new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (sw.state === "activated") resolve();
          else if (sw.state === "redundant") reject(new Error("service worker redundant"));
        };
        sw.addEventListener("statechange", check);
        check();
      });
    }
    return sw;
  })();
  registration.catch(() => (registration = undefined));
  return registration;
}

/**
 * Hands the worker one download (`message` gets the id; `transfer` after the port), waits for its
 * "ready" and opens the hidden frame that starts the browser's download. `pageGone` runs on
 * `pagehide`; `finish()` stops the keep-alive and removes the frame a minute later.
 */
async function handToWorker(sw: Worker_, name: string, message: Record<string, unknown>, transfer: unknown[], pageGone: () => void): Promise<{ port: Port_; finish(): void }> {
  const id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  const channel = new page.MessageChannel();
  const ready = new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("service worker did not answer")), 10_000);
    channel.port1.onmessage = () => (clearTimeout(t), resolve());
  });
  sw.postMessage({ ...message, id }, [channel.port2, ...transfer]);
  await ready;
  const frame = page.document.createElement("iframe");
  frame.hidden = true;
  frame.title = name;
  frame.src = new URL(`${SW_SCOPE}${id}`, page.document.baseURI).href;
  page.document.body.append(frame);
  // A message now and then keeps the worker alive however long the download takes.
  const ping = setInterval(() => sw.postMessage({ type: "entente-ping" }), 10_000);
  // A reload or a closed tab ends the page, not the worker's download: the browser's download
  // would go on (or wait forever for the page's stream). It is stopped (its partial file is
  // dropped); the view offers "Reprendre".
  page.addEventListener("pagehide", pageGone);
  return {
    port: channel.port1,
    finish() {
      clearInterval(ping);
      page.removeEventListener("pagehide", pageGone);
      // The frame is only the download's trigger; removing it at once could cancel the download.
      setTimeout(() => frame.remove(), 60_000);
    },
  };
}

/** The service worker fetches, verifies and decrypts the file itself (worker-download.ts); the page follows. */
async function runInWorker(sw: Worker_, name: string, mimetype: string, size: number | undefined, job: WorkerJob, events: WorkerEvents, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const to: { port?: Port_ } = {};
  const cancel = (): void => to.port?.postMessage({ type: "cancel" } satisfies PageOrder);
  const silence = stallMs();
  const aliveMs = Math.min(10_000, Math.floor(silence / 4));
  const handed = await handToWorker(sw, name, { type: "entente-fetch-download", name, mimetype, size, job, aliveMs }, [], cancel);
  to.port = handed.port;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const stop = (): void => (cancel(), reject(signal?.reason ?? new Error("cancelled")));
      if (signal?.aborted) return stop();
      signal?.addEventListener("abort", stop, { once: true });
      const stalled = (): void => (cancel(), reject(new WorkerDownloadFailed({ type: "failed", code: "stalled", message: `no news from the download service worker for ${silence} ms` })));
      timer = setTimeout(stalled, silence);
      handed.port.onmessage = (e) => {
        clearTimeout(timer);
        timer = setTimeout(stalled, silence);
        const r = e.data as WorkerReport;
        if (r.type === "progress") events.onProgress(r.received);
        else if (r.type === "retry") events.onRetry(r.received, r.delayMs);
        else if (r.type === "done") resolve();
        else if (r.type === "failed") reject(new WorkerDownloadFailed(r));
      };
    });
  } finally {
    clearTimeout(timer);
    handed.port.onmessage = null;
    handed.port.close();
    handed.finish();
  }
}

async function serviceWorkerSink(name: string, mimetype: string, size: number | undefined): Promise<{ sink: WritableStream<Uint8Array>; done: Promise<void> }> {
  const sw = await activeWorker();
  // The readable side goes to the worker; chunks written here flow to the browser's download
  // with backpressure (a few chunks queued at most).
  const pipe = new TransformStream<Uint8Array, Uint8Array>(undefined, { highWaterMark: 2 }, { highWaterMark: 2 });
  const writer = pipe.writable.getWriter();
  const { finish } = await handToWorker(sw, name, { type: "entente-download", name, mimetype, size, stream: pipe.readable }, [pipe.readable], () => void writer.abort(new Error("page closed")).catch(() => undefined));
  let settle!: () => void;
  const done = new Promise<void>((resolve) => (settle = resolve));
  const cleanup = (): void => {
    finish();
    settle();
  };
  const sink = new WritableStream<Uint8Array>({
    write: (c) => writer.write(c),
    close: async () => {
      await writer.close();
      cleanup();
    },
    abort: async (reason: unknown) => {
      await writer.abort(reason).catch(() => undefined);
      cleanup();
    },
  });
  return { sink, done };
}

/** The old path: chunks into Blobs (the browser keeps big blobs on disk), then a link click. */
function blobDownloadSink(name: string, mimetype: string): { sink: WritableStream<Uint8Array>; done: Promise<void> } {
  const blobs: Blob[] = [];
  let pending: Uint8Array<ArrayBuffer>[] = [];
  let size = 0;
  const flush = (): void => {
    if (pending.length > 0) blobs.push(new Blob(pending));
    pending = [];
    size = 0;
  };
  let settle!: () => void;
  const done = new Promise<void>((resolve) => (settle = resolve));
  const sink = new WritableStream<Uint8Array>({
    write(c) {
      pending.push(c as Uint8Array<ArrayBuffer>);
      size += c.length;
      if (size >= 16 * MiB) flush();
    },
    close() {
      flush();
      const url = URL.createObjectURL(new Blob(blobs, { type: mimetype }));
      const a = page.document.createElement("a");
      a.href = url;
      a.download = name;
      a.rel = "noopener";
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      settle();
    },
    abort() {
      blobs.length = 0;
      pending = [];
      settle();
    },
  });
  return { sink, done };
}

/**
 * The browser's spool for a part waiting for its hash check: the decrypted chunks themselves are
 * kept (no copy) up to `inMemory` bytes (16 MiB: a quarter of a 64 MiB part), the rest goes
 * into Blobs (the browser keeps big blobs on disk) read back as a stream.
 */
export function partSpool(inMemory = 16 * MiB): { write(c: Uint8Array): void; drainTo(w: WritableStreamDefaultWriter<Uint8Array>): Promise<void>; clear(): void } {
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  let blobs: Blob[] = [];
  let pending: Uint8Array<ArrayBuffer>[] = [];
  let pendingBytes = 0;
  const flush = (): void => {
    if (pending.length > 0) blobs.push(new Blob(pending));
    pending = [];
    pendingBytes = 0;
  };
  const clear = (): void => {
    held = [];
    heldBytes = 0;
    blobs = [];
    pending = [];
    pendingBytes = 0;
  };
  return {
    write(c) {
      if (heldBytes + c.length <= inMemory && blobs.length === 0 && pending.length === 0) {
        held.push(c);
        heldBytes += c.length;
        return;
      }
      pending.push(c as Uint8Array<ArrayBuffer>);
      pendingBytes += c.length;
      if (pendingBytes >= 16 * MiB) flush();
    },
    async drainTo(w) {
      flush();
      const first = held;
      const rest = blobs;
      clear();
      for (const c of first) await w.write(c);
      if (rest.length > 0) {
        const r = new Blob(rest).stream().getReader();
        for (let x = await r.read(); !x.done; x = await r.read()) await w.write(x.value);
      }
    },
    clear,
  };
}
