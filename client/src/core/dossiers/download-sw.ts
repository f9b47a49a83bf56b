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
import { failureReport, runWorkerJob, safeMimetype, WorkerStop, type PageOrder, type WorkerJob, type WorkerReport } from "./worker-download.ts";
import { jobBody, keepChunk, releasesSafely } from "./released-body.ts";

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

type Pending = { name: string; type: string; size: unknown } & ({ stream: ReadableStream<Uint8Array> } | { job: WorkerJob; port: Port; aliveMs: number });
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
  const common = { name: String(d["name"] || "fichier"), type: safeMimetype(d["mimetype"]), size: d["size"] };
  const aliveMs = typeof d["aliveMs"] === "number" && d["aliveMs"] >= 100 ? d["aliveMs"] : 10_000;
  if (d["type"] === "entente-download" && d["stream"] instanceof ReadableStream) pending.set(id, { ...common, stream: d["stream"] as ReadableStream<Uint8Array> });
  else if (d["type"] === "entente-fetch-download" && isRecord(d["job"]) && port !== undefined) pending.set(id, { ...common, job: d["job"] as unknown as WorkerJob, port, aliveMs });
  else return;
  setTimeout(() => {
    const p = pending.get(id);
    if (p === undefined) return;
    pending.delete(id);
    if ("stream" in p) p.stream.cancel("not requested").catch(() => undefined);
    else p.port.postMessage({ type: "failed", code: "not-requested", message: "the download was never requested" } satisfies WorkerReport);
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
    event.respondWith(response(p.stream, headers));
    return;
  }
  const stop = new AbortController();
  p.port.onmessage = (e) => {
    if (isRecord(e.data) && (e.data as PageOrder).type === "cancel") stop.abort(new WorkerStop("page-cancelled"));
  };
  // The browser's download reads `out`; cancelling it in the download bar cancels this stream.
  // Each decrypted chunk is freed once the browser has taken it (released-body.ts), in Blink only:
  // another browser's reader might still hold it, and the saved file would be short.
  const { writable, body: out } = jobBody(() => stop.abort(new WorkerStop("browser-cancelled")), releasesSafely() ? undefined : keepChunk);
  let res: Response;
  try {
    res = new Response(out, { headers });
  } catch (e: unknown) {
    p.port.postMessage({ ...failureReport(e), code: "response" } satisfies WorkerReport);
    event.respondWith(Response.error());
    return;
  }
  // NOT in event.waitUntil: Chromium stops a worker whose event outlives 5 minutes
  // (ServiceWorkerVersion's request timeout), a long download would be cut. The page's pings keep
  // the worker alive, "alive" reports let the page notice when it was stopped all the same.
  const alive = setInterval(() => p.port.postMessage({ type: "alive" } satisfies WorkerReport), p.aliveMs);
  void runWorkerJob(p.job, writable, (r) => p.port.postMessage(r), stop.signal).finally(() => clearInterval(alive));
  event.respondWith(res);
});

/** The attachment response; headers already sanitised, a throw here still answers (an error the browser shows) rather than nothing. */
function response(stream: ReadableStream<Uint8Array>, headers: Record<string, string>): Response {
  try {
    return new Response(stream, { headers });
  } catch {
    stream.cancel("bad headers").catch(() => undefined);
    return Response.error();
  }
}
