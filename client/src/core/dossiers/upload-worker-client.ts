// The page's half of an upload in parts run by a dedicated worker (upload-worker.ts): the same
// surface as ChunkedUpload (start, pause, cancel, "progress" and "phase" events) so that
// dossier-transfer.ts drives either; the page keeps the state store (localStorage) and answers
// the worker's saves. Where there is no Worker (Node) or it does not load, the caller runs
// ChunkedUpload in the page instead.
import { UploadStopped } from "./protocol.ts";
import type { UploadStateStore } from "../../../../appservices/files/src/chunked/upload-state.ts";
import type { FromUploadWorker, ToUploadWorker, UploadJob } from "./upload-worker-messages.ts";

/** What dossier-transfer.ts needs of an upload in parts (ChunkedUpload has it too). */
export interface PartsUpload extends EventTarget {
  start(): Promise<{ content: Record<string, unknown> }>;
  pause(): void;
  cancel(): Promise<void>;
}

interface WorkerLike {
  postMessage(m: ToUploadWorker): void;
  addEventListener(type: "message", f: (e: { data: FromUploadWorker }) => void): void;
  addEventListener(type: "error", f: (e: { message?: string }) => void): void;
  terminate(): void;
}

/** The global Worker, typed here (the Node test build has no DOM library; Node has none). */
declare const Worker: new (url: URL, o: { type: "module"; name: string }) => WorkerLike;

class WorkerUpload extends EventTarget implements PartsUpload {
  private running: { resolve(v: { content: Record<string, unknown> }): void; reject(e: unknown): void } | undefined;
  private job: UploadJob | undefined;
  private cancelled = false;
  private readonly worker: WorkerLike;
  private readonly store: UploadStateStore;

  constructor(worker: WorkerLike, job: UploadJob, store: UploadStateStore) {
    super();
    this.worker = worker;
    this.store = store;
    this.job = job;
    worker.addEventListener("message", ({ data }) => void this.receive(data));
    worker.addEventListener("error", (e) => this.settle(undefined, new Error(`upload worker: ${e.message ?? "failed"}`)));
  }

  start(): Promise<{ content: Record<string, unknown> }> {
    if (this.running !== undefined) return Promise.reject(new Error("upload already running"));
    const done = new Promise<{ content: Record<string, unknown> }>((resolve, reject) => (this.running = { resolve, reject }));
    this.worker.postMessage(this.job === undefined ? { type: "start" } : { type: "start", job: this.job });
    this.job = undefined;
    return done;
  }

  pause(): void {
    this.worker.postMessage({ type: "pause" });
  }

  async cancel(): Promise<void> {
    // saves the worker asks for from now on are answered but not kept: a cancelled upload leaves no record
    this.cancelled = true;
    this.worker.postMessage({ type: "cancel" });
    await this.store.clear();
    if (this.running === undefined) this.dispose();
  }

  /** Stops the worker (the upload is over, or abandoned). */
  dispose(): void {
    this.worker.terminate();
  }

  private async receive(m: FromUploadWorker): Promise<void> {
    if (m.type === "progress") this.dispatchEvent(new CustomEvent("progress", { detail: m.detail }));
    else if (m.type === "phase") this.dispatchEvent(new CustomEvent("phase", { detail: m.detail }));
    else if (m.type === "store") {
      try {
        if (m.state === undefined || this.cancelled) await this.store.clear();
        else await this.store.save(m.state);
      } finally {
        this.worker.postMessage({ type: "stored", id: m.id });
      }
    } else if (m.type === "done") this.settle({ content: m.content });
    else if (m.type === "stopped") this.settle(undefined, m.phase === undefined ? new Error(m.message) : new UploadStopped(m.phase, new Error(m.message)));
  }

  private settle(value: { content: Record<string, unknown> } | undefined, error?: unknown): void {
    const r = this.running;
    this.running = undefined;
    if (value !== undefined || this.cancelled || error instanceof UploadStopped === false) this.dispose();
    if (r === undefined) return;
    if (value !== undefined) r.resolve(value);
    else r.reject(error);
  }
}

/**
 * An upload in parts run by a dedicated worker, once the worker has loaded; undefined where there
 * is no Worker or it failed to load (the caller runs ChunkedUpload in the page).
 */
export async function workerUpload(job: Omit<UploadJob, "state">, store: UploadStateStore): Promise<(PartsUpload & { dispose(): void }) | undefined> {
  if (typeof Worker === "undefined") return undefined;
  let worker: WorkerLike;
  try {
    // Written out in full: Vite bundles the worker from this very expression.
    worker = new Worker(new URL("./upload-worker.ts", import.meta.url), { type: "module", name: "entente-upload" });
  } catch {
    return undefined;
  }
  const ready = await new Promise<boolean>((resolve) => {
    worker.addEventListener("message", ({ data }) => { if (data.type === "ready") resolve(true); });
    worker.addEventListener("error", () => resolve(false));
  });
  if (!ready) {
    worker.terminate();
    return undefined;
  }
  return new WorkerUpload(worker, { ...job, state: await store.load() }, store);
}
