// The page's half of an upload in parts run by a dedicated worker (upload-worker.ts): the same
// surface as ChunkedUpload (start, pause, cancel, "progress" and "phase" events) so that
// dossier-transfer.ts drives either; the page keeps the state store (localStorage) and answers
// the worker's saves. Where there is no Worker (Node) or it does not load, the caller runs
// ChunkedUpload in the page instead.
import { UploadStopped } from "./protocol.ts";
import type { UploadStateStore } from "../../../../appservices/files/src/chunked/upload-state.ts";
import type { FromUploadWorker, ToUploadWorker, UploadJob } from "./upload-worker-messages.ts";
import { holdUploadFolder, removeUploadFolder } from "./opfs-part-bodies.ts";

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
  /** The job as the page gave it; each worker gets it once, with the state stored then. */
  private readonly job: Omit<UploadJob, "state">;
  /** The current worker has not had the job yet (a fresh one, after a relay). */
  private needsJob = true;
  private cancelled = false;
  /** pause() since the last start(): a relay in progress stops instead of starting the next worker. */
  private pauseAsked = false;
  /** The speed last shown: a fresh worker's meter knows none for its first seconds. */
  private lastSpeed = 0;
  private worker: WorkerLike;
  private readonly store: UploadStateStore;
  /** Lets go of the part files' folder lock (opfs-part-bodies.ts `holdUploadFolder`). */
  private readonly releaseFolder: () => void;

  constructor(worker: WorkerLike, job: Omit<UploadJob, "state">, store: UploadStateStore) {
    super();
    this.store = store;
    this.job = { ...job, partsFolder: job.partsFolder ?? `${Date.now()}-${globalThis.crypto.randomUUID()}` };
    // held while the upload lives, paused included: no other upload removes its part files as stale
    this.releaseFolder = holdUploadFolder(this.job.partsFolder!);
    this.worker = this.attach(worker);
  }

  start(): Promise<{ content: Record<string, unknown> }> {
    if (this.running !== undefined) return Promise.reject(new Error("upload already running"));
    const done = new Promise<{ content: Record<string, unknown> }>((resolve, reject) => (this.running = { resolve, reject }));
    this.pauseAsked = false;
    void this.send();
    return done;
  }

  pause(): void {
    this.pauseAsked = true;
    this.worker.postMessage({ type: "pause" });
  }

  async cancel(): Promise<void> {
    // saves the worker asks for from now on are answered but not kept: a cancelled upload leaves no record
    this.cancelled = true;
    this.worker.postMessage({ type: "cancel" });
    await this.store.clear();
    if (this.running === undefined) this.dispose();
    // the worker removes the part files when its upload stops; this covers a cancel between workers
    if (this.job.partsFolder !== undefined) void removeUploadFolder(this.job.partsFolder);
  }

  /** Stops the worker (the upload is over, or abandoned). */
  dispose(): void {
    this.worker.terminate();
    this.releaseFolder();
  }

  private attach(worker: WorkerLike): WorkerLike {
    worker.addEventListener("message", ({ data }) => { if (worker === this.worker) void this.receive(data); });
    worker.addEventListener("error", (e) => { if (worker === this.worker) this.settle(undefined, new Error(`upload worker: ${e.message ?? "failed"}`)); });
    return worker;
  }

  /** "start" to the current worker, with the job (and the state stored now) if it has not had it. */
  private async send(): Promise<void> {
    if (!this.needsJob) return this.worker.postMessage({ type: "start" });
    this.needsJob = false;
    this.worker.postMessage({ type: "start", job: { ...this.job, state: await this.store.load() } });
  }

  /**
   * The worker sent its share of parts (all answered and stored): it is ended, so its heap goes at
   * once, and a fresh one goes on from the stored state, unless a pause or cancel came meanwhile.
   */
  private async relay(): Promise<void> {
    this.worker.terminate();
    const next = await spawn();
    if (next === undefined) return this.settle(undefined, new Error("upload worker: a fresh worker did not load"));
    this.worker = this.attach(next);
    this.needsJob = true;
    if (this.cancelled) return this.settle(undefined, new UploadStopped("cancelled"));
    if (this.pauseAsked) {
      this.dispatchEvent(new CustomEvent("phase", { detail: { phase: "paused", reason: "user" } }));
      return this.settle(undefined, new UploadStopped("paused"));
    }
    await this.send();
  }

  private async receive(m: FromUploadWorker): Promise<void> {
    if (m.type === "progress") {
      const d = m.detail;
      if (d.bytesPerSecond > 0) this.lastSpeed = d.bytesPerSecond;
      // a fresh worker's first events: the speed of the one before it
      const shown = d.bytesPerSecond > 0 || this.lastSpeed === 0 ? d : { ...d, bytesPerSecond: this.lastSpeed, remainingSeconds: (d.totalBytes - d.sentBytes) / this.lastSpeed };
      this.dispatchEvent(new CustomEvent("progress", { detail: shown }));
    } else if (m.type === "phase") this.dispatchEvent(new CustomEvent("phase", { detail: m.detail }));
    else if (m.type === "store") {
      try {
        if (m.state === undefined || this.cancelled) await this.store.clear();
        else await this.store.save(m.state);
      } finally {
        this.worker.postMessage({ type: "stored", id: m.id });
      }
    } else if (m.type === "relay") await this.relay();
    else if (m.type === "done") this.settle({ content: m.content });
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

/** A dedicated upload worker once it has loaded; undefined where there is no Worker or it failed to load. */
async function spawn(): Promise<WorkerLike | undefined> {
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
  return worker;
}

/**
 * An upload in parts run by dedicated workers (a fresh one every `job.partsPerRun` parts), once
 * the first has loaded; undefined where there is no Worker or it failed to load (the caller runs
 * ChunkedUpload in the page).
 */
export async function workerUpload(job: Omit<UploadJob, "state">, store: UploadStateStore): Promise<(PartsUpload & { dispose(): void }) | undefined> {
  const worker = await spawn();
  return worker === undefined ? undefined : new WorkerUpload(worker, job, store);
}
