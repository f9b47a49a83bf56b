// Node's media transport: fetchTransport() for the small requests (create), node:http(s) for the
// bulk ones, the PUT of a part and the GET of a part.
// - PUT: Node's fetch (undici) keeps every chunk of a streamed request body referenced until the
//   answer comes: a 256 MiB part PUT grew the client's RSS by ≈ 260 MB (the whole part, still there
//   after a full GC), the same PUT through node:http by ≈ 75 MB, faster; in the 4 GiB scenario
//   (tests/harness/dossier-4gib.ts) the client's upload peak went from ≈ 366 MB to ≈ 134 MB. Each
//   chunk is written with backpressure and, when the caller says the chunks are its own (`owned`:
//   the uploader's ciphertext), freed as soon as the socket has taken it: the next chunk reuses the
//   memory. On this VM a fresh page costs a fault (≈ 11 µs a 4 KiB page): leaving the chunks to the
//   garbage collector made the client touch ≈ 250 k fresh pages per GiB sent.
// - GET: node:http's body chunks are buffers of their own (`ownedChunks`: the downloader frees each
//   once hashed and decrypted), with less work per chunk than fetch's body stream. Its socket read
//   buffers are node:http's own: a process that wants them collected every few MiB (the bench and
//   the 4 GiB scenario's client, with the homeserver's media/transfer-gc.ts) passes `onReceived`;
//   a library does not flip V8 flags in the process that embeds it.
// - Both give up on a silent connection after `idleMs` (90 s by default: the server's own long
//   wait for a part still uploading is timeout_ms=60000) with a MediaHttpError of status 0, which
//   the uploader and the downloader retry (a Range request resumes a download).
// - `fetch` serves create() only (fetchTransport); the bulk requests go through node:http(s).
// Browsers keep fetchTransport (they stream request bodies over HTTP/2 only; see bufferParts).
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import { releaseBuffer } from "../attachments/release-buffer.ts";
import { fetchTransport, MediaHttpError, splitMxc, type FetchTransportOptions, type MediaTransport } from "./media-transport.ts";

export interface NodeMediaTransportOptions extends Omit<FetchTransportOptions, "bufferParts" | "blobBodies"> {
  /** Told the size of each body chunk a GET received (e.g. to collect node:http's read buffers every few MiB). */
  onReceived?: (bytes: number) => void;
  /** A PUT or GET whose connection stays silent this long fails (MediaHttpError, status 0). Default 90 s. */
  idleMs?: number;
}

const DEFAULT_IDLE_MS = 90_000;

export function nodeMediaTransport(o: NodeMediaTransportOptions): MediaTransport {
  const base = o.baseUrl.replace(/\/+$/, "");
  const auth = `Bearer ${o.accessToken}`;
  const idleMs = o.idleMs ?? DEFAULT_IDLE_MS;
  const onReceived = o.onReceived ?? ((): void => undefined);
  const download = (mxc: string, offset: number, signal: AbortSignal | undefined): Promise<ReadableStream<Uint8Array>> => get(base, auth, mxc, offset, signal, idleMs, onReceived);
  return {
    ...fetchTransport(o),
    put: (mxc, body, length, signal, owned) => put(base, auth, mxc, body, length, signal, owned === true, idleMs),
    ownedChunks: true,
    get: (mxc, signal) => download(mxc, 0, signal),
    getFrom: download,
  };
}

function send(url: URL, options: RequestOptions, signal: AbortSignal | undefined, idleMs: number, what: string): ClientRequest {
  const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, { ...options, ...(signal ? { signal } : {}) });
  // the socket's inactivity, either way (waiting for the answer, or in the middle of the body)
  req.setTimeout(idleMs, () => req.destroy(new MediaHttpError(0, undefined, `${what}: no data for ${Math.round(idleMs / 1000)} s, connection dropped`)));
  return req;
}

function answer(req: ClientRequest): Promise<IncomingMessage> {
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once("response", resolve);
    req.once("error", reject);
  });
  response.catch(() => undefined);
  return response;
}

async function put(base: string, auth: string, mxc: string, body: ReadableStream<Uint8Array>, length: number, signal: AbortSignal | undefined, owned: boolean, idleMs: number): Promise<void> {
  const { server, id } = splitMxc(mxc);
  const url = new URL(`${base}/_matrix/media/v3/upload/${encodeURIComponent(server)}/${encodeURIComponent(id)}`);
  const req = send(url, { method: "PUT", headers: { Authorization: auth, "Content-Type": "application/octet-stream", "Content-Length": String(length) } }, signal, idleMs, "upload");
  const response = answer(req);
  // a failed send destroys the request, so `response` rejects with the cause
  const sent = writeBody(req, body, owned).then(() => undefined, (e: unknown) => {
    req.destroy(e instanceof Error ? e : new Error(String(e)));
    return e;
  });
  const res = await response;
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    // the server may answer (409, 413, 403) before reading the body: its answer is the error
    throw await httpError(res, status, "upload", () => req.destroy());
  }
  const failed = await sent;
  res.resume();
  if (failed !== undefined) throw failed;
}

/** Writes the body's chunks with backpressure, each freed once the socket took it when `owned`; then ends the request. */
async function writeBody(req: ClientRequest, body: ReadableStream<Uint8Array>, owned: boolean): Promise<void> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (req.destroyed) throw closedEarly();
      // the callback runs once the bytes are in the kernel (or the request failed): nothing reads them after
      const more = req.write(value, owned ? () => void releaseBuffer(value) : undefined);
      if (!more) await until(req, "drain");
    }
    await new Promise<void>((resolve, reject) => {
      req.once("close", onClose);
      function onClose(): void {
        reject(closedEarly());
      }
      req.end(() => (req.off("close", onClose), resolve()));
    });
  } catch (e: unknown) {
    await reader.cancel(e).catch(() => undefined);
    throw e;
  }
}

const closedEarly = (): Error => new Error("upload: the request closed before its body was sent");

/**
 * Resolves on `event`, rejects when the request closes first (a server answer and close, a reset,
 * an abort). Listeners are removed either way: racing a long-lived promise instead kept a
 * reaction, and so every chunk, per write until the end.
 */
function until(req: ClientRequest, event: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onEvent = (): void => {
      req.off("close", onClose);
      resolve();
    };
    const onClose = (): void => {
      req.off(event, onEvent);
      reject(closedEarly());
    };
    req.once(event, onEvent);
    req.once("close", onClose);
  });
}

/** GET of a part from byte `offset` (a Range request when > 0; a 206 is checked to start there, a 200 is skipped into). */
async function get(base: string, auth: string, mxc: string, offset: number, signal: AbortSignal | undefined, idleMs: number, onReceived: (bytes: number) => void): Promise<ReadableStream<Uint8Array>> {
  const { server, id } = splitMxc(mxc);
  const url = new URL(`${base}/_matrix/client/v1/media/download/${encodeURIComponent(server)}/${encodeURIComponent(id)}?timeout_ms=60000`);
  const req = send(url, { headers: offset > 0 ? { Authorization: auth, Range: `bytes=${offset}-` } : { Authorization: auth } }, signal, idleMs, "download");
  const response = answer(req);
  req.end();
  const res = await response;
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) throw await httpError(res, status, "download", () => res.destroy());
  let skip = offset;
  if (status === 206) {
    const range = res.headers["content-range"];
    if (range !== undefined && !range.startsWith(`bytes ${offset}-`)) {
      res.destroy();
      throw new MediaHttpError(0, undefined, `download: asked from byte ${offset}, got ${range}`);
    }
    skip = 0;
  }
  return bodyStream(res, skip, onReceived);
}

/**
 * The response body as a web stream, pulled (no chunk read before it is asked for), after dropping
 * its first `skip` bytes (a server that ignored the Range). Ends with an error when the connection
 * closes before the body's end (a cut: the downloader resumes from the byte reached).
 */
function bodyStream(res: IncomingMessage, skip: number, onReceived: (bytes: number) => void): ReadableStream<Uint8Array> {
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  let ended = false;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  res.on("readable", poke);
  res.once("end", () => {
    ended = true;
    poke();
  });
  res.once("error", (e: Error) => {
    failure = e;
    poke();
  });
  res.once("close", () => {
    if (!ended && failure === undefined) failure = new Error("download: the connection closed before the end of the body");
    poke();
  });
  return new ReadableStream<Uint8Array>({
    async pull(ctl) {
      for (;;) {
        const chunk = res.read() as Buffer | null;
        if (chunk !== null) {
          onReceived(chunk.length);
          if (skip >= chunk.length) {
            skip -= chunk.length;
            continue;
          }
          ctl.enqueue(skip > 0 ? chunk.subarray(skip) : chunk);
          skip = 0;
          return;
        }
        if (failure !== undefined) throw failure;
        if (ended) {
          ctl.close();
          return;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    cancel() {
      res.destroy();
    },
  }, { highWaterMark: 0 });
}

async function httpError(res: IncomingMessage, status: number, what: string, close: () => void): Promise<MediaHttpError> {
  const text = await readText(res).catch(() => "");
  close();
  return new MediaHttpError(status, errcodeOf(text), `${what}: HTTP ${status} ${text.slice(0, 200)}`);
}

async function readText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > 64 * 1024) break;
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function errcodeOf(text: string): string | undefined {
  try {
    const j = JSON.parse(text) as { errcode?: unknown };
    return typeof j.errcode === "string" ? j.errcode : undefined;
  } catch {
    return undefined;
  }
}
