// Entente's download service worker: streamed downloads to disk where the File System Access API
// is missing (Firefox, Safari, headless Chromium). Bundled alone into dist/download-sw.js, a
// classic script (vite.config.ts: every browser runs classic service workers). Registered with the
// scope ./__entente_download__/ only: it controls no page of the client. A hidden frame of the page
// opens ./__entente_download__/<id>, which this worker answers as an attachment, so the browser
// writes the body to disk as it comes. Two kinds of body:
// - "entente-fetch-download": a dossier file the worker fetches, verifies and decrypts itself
//   (worker-download.ts); the page only gets progress on the job's port and may send "cancel";
// - "entente-download": a ReadableStream the page made (a transferable stream), e.g. an archive
//   export it encrypts itself.
import { runWorkerJob, type PageOrder, type WorkerJob, type WorkerReport } from "./worker-download.ts";

// The worker's globals, typed locally (the client's type check has the DOM library, not WebWorker's).
interface Port { postMessage(m: unknown): void; onmessage: ((e: { data: unknown }) => void) | null }
interface ExtendableEvent { waitUntil(p: Promise<unknown>): void }
interface FetchEvent extends ExtendableEvent { request: Request; respondWith(r: Response | Promise<Response>): void }
interface MessageEvent_ extends ExtendableEvent { data: unknown; ports: readonly Port[] }
interface WorkerScope {
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: "install" | "activate", f: (e: ExtendableEvent) => void): void;
  addEventListener(type: "message", f: (e: MessageEvent_) => void): void;
  addEventListener(type: "fetch", f: (e: FetchEvent) => void): void;
}
const worker = globalThis as unknown as WorkerScope;

type Pending = { name: string; type: string; size: unknown } & ({ stream: ReadableStream<Uint8Array> } | { job: WorkerJob; port: Port });
/** id → a download waiting for its frame's request; taken once. */
const pending = new Map<string, Pending>();
/** An unclaimed download (the frame never came) is dropped after this. */
const UNCLAIMED_MS = 60_000;

worker.addEventListener("install", () => void worker.skipWaiting());
worker.addEventListener("activate", (event) => event.waitUntil(worker.clients.claim()));

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

worker.addEventListener("message", (event) => {
  const d = event.data;
  if (!isRecord(d) || typeof d["id"] !== "string") return; // {type: "entente-ping"} only keeps the worker alive
  const id = d["id"];
  const port = event.ports[0];
  const common = { name: String(d["name"] || "fichier"), type: String(d["mimetype"] || "application/octet-stream"), size: d["size"] };
  if (d["type"] === "entente-download" && d["stream"] instanceof ReadableStream) pending.set(id, { ...common, stream: d["stream"] as ReadableStream<Uint8Array> });
  else if (d["type"] === "entente-fetch-download" && isRecord(d["job"]) && port !== undefined) pending.set(id, { ...common, job: d["job"] as unknown as WorkerJob, port });
  else return;
  setTimeout(() => {
    const p = pending.get(id);
    if (p === undefined) return;
    pending.delete(id);
    if ("stream" in p) p.stream.cancel("not requested").catch(() => undefined);
    else p.port.postMessage({ type: "failed", message: "the download was never requested" } satisfies WorkerReport);
  }, UNCLAIMED_MS);
  port?.postMessage({ type: "ready" } satisfies WorkerReport);
});

/** RFC 6266 / 8187: an ASCII fallback plus the UTF-8 name. */
function disposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  const utf8 = encodeURIComponent(name).replace(/['()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

worker.addEventListener("fetch", (event) => {
  const m = /\/__entente_download__\/([A-Za-z0-9_-]+)$/.exec(new URL(event.request.url).pathname);
  if (!m) return;
  const p = pending.get(m[1]!);
  if (p === undefined) {
    event.respondWith(new Response("Téléchargement introuvable ou déjà terminé. / Download not found or already finished.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } }));
    return;
  }
  pending.delete(m[1]!);
  const headers: Record<string, string> = { "Content-Type": p.type, "Content-Disposition": disposition(p.name), "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store" };
  if (typeof p.size === "number" && Number.isSafeInteger(p.size) && p.size >= 0) headers["Content-Length"] = String(p.size);
  if ("stream" in p) {
    event.respondWith(new Response(p.stream, { headers }));
    return;
  }
  // A few chunks queued at most: the downloader waits for the browser's download to take them.
  const body = new TransformStream<Uint8Array, Uint8Array>(undefined, { highWaterMark: 2 }, { highWaterMark: 2 });
  const stop = new AbortController();
  p.port.onmessage = (e) => {
    if (isRecord(e.data) && (e.data as PageOrder).type === "cancel") stop.abort(new Error("cancelled by the page"));
  };
  event.waitUntil(runWorkerJob(p.job, body.writable, (r) => p.port.postMessage(r), stop.signal));
  event.respondWith(new Response(body.readable, { headers }));
});
