// The media repository as the chunked uploader and downloader see it: a port, so the browser and
// Node (and tests that count or cut requests) plug in their own. fetchTransport() below works in
// both, over the asynchronous upload endpoints.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#post_matrixmediav1create

import { weighBlob } from "./blob-weight.ts";
export interface MediaTransport {
  /** POST /_matrix/media/v1/create: reserves an mxc URI. */
  create(signal?: AbortSignal): Promise<string>;
  /**
   * PUT /_matrix/media/v3/upload/{server}/{id}. `owned`: the body's chunks are fresh buffers that
   * nothing else reads, so the transport may free each once it is sent (Node's does: the memory is
   * reused by the next chunk rather than left to the garbage collector).
   */
  put(mxc: string, body: ReadableStream<Uint8Array>, length: number, signal?: AbortSignal, owned?: boolean): Promise<void>;
  /** Optional: the same with a Blob body, sent as it is (a browser's network service reads it; no copy in the page). */
  putBlob?(mxc: string, body: Blob, signal?: AbortSignal): Promise<void>;
  /**
   * The chunks of get() and getFrom() are fresh buffers nothing else holds: their reader may free
   * each once used (Node's transport; fetch's chunks are left to the garbage collector).
   */
  ownedChunks?: boolean;
  /** GET /_matrix/client/v1/media/download/{server}/{id} (remote media is fetched by our homeserver). */
  get(mxc: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>>;
  /** Optional: the same from byte `offset` on (a Range request), to resume a cut download. */
  getFrom?(mxc: string, offset: number, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>>;
  /**
   * Optional (browsers): the body from byte `offset` on as a Blob. Chromium keeps it in the
   * browser process; reading it afterwards into a reused buffer cost the renderer 0.6 CPU s per
   * 256 MiB against 5.7 for reading the response body as a stream (measured, see the README).
   * A connection closed early gives a shorter Blob; a reset rejects (the bytes of that request are lost).
   */
  getBlob?(mxc: string, offset: number, signal?: AbortSignal): Promise<Blob>;
}

/** An HTTP error with the Matrix errcode when there is one. */
export class MediaHttpError extends Error {
  readonly status: number;
  readonly errcode: string | undefined;
  constructor(status: number, errcode: string | undefined, message: string) {
    super(message);
    this.status = status;
    this.errcode = errcode;
  }
}

export function splitMxc(mxc: string): { server: string; id: string } {
  const m = /^mxc:\/\/([^/]+)\/([A-Za-z0-9_-]+)$/.exec(mxc);
  if (!m?.[1] || !m[2]) throw new MediaHttpError(0, "M_INVALID_PARAM", `not an mxc URI: ${mxc}`);
  return { server: m[1], id: m[2] };
}

export interface FetchTransportOptions {
  baseUrl: string;
  accessToken: string;
  /**
   * Browsers stream request bodies only over HTTP/2; with `bufferParts` a part is gathered into
   * a Blob (bounded by the part size; Chromium spills large blobs to disk) before its PUT.
   */
  bufferParts?: boolean;
  fetch?: typeof fetch;
  /**
   * Offer `getBlob` (browsers: the held download path reads parts as Blobs). Off by default:
   * Node's Blob from fetch holds the bytes in the process, no gain there.
   */
  blobBodies?: boolean;
}

export function fetchTransport(o: FetchTransportOptions): MediaTransport {
  const base = o.baseUrl.replace(/\/+$/, "");
  const f = o.fetch ?? globalThis.fetch;
  const auth = { Authorization: `Bearer ${o.accessToken}` };
  const fail = async (res: Response, what: string): Promise<never> => {
    const text = await res.text().catch(() => "");
    let errcode: string | undefined;
    try {
      const j = JSON.parse(text) as { errcode?: unknown };
      if (typeof j.errcode === "string") errcode = j.errcode;
    } catch {
      // not JSON: keep the status only
    }
    throw new MediaHttpError(res.status, errcode, `${what}: HTTP ${res.status} ${text.slice(0, 200)}`);
  };
  const send = async (mxc: string, body: ReadableStream<Uint8Array> | Blob, length: number, signal: AbortSignal | undefined): Promise<void> => {
    const { server, id } = splitMxc(mxc);
    const headers = { ...auth, "Content-Type": "application/octet-stream" };
    const init: RequestInit & { duplex?: "half" } = body instanceof Blob
      ? { method: "PUT", headers, body }
      : { method: "PUT", headers: { ...headers, "Content-Length": String(length) }, body, duplex: "half" };
    const res = await f(`${base}/_matrix/media/v3/upload/${encodeURIComponent(server)}/${encodeURIComponent(id)}`, { ...init, ...(signal ? { signal } : {}) });
    if (!res.ok) return fail(res, "upload");
    await res.body?.cancel();
  };
  /** GET from byte `offset` (a Range request when > 0); a 206 is checked to start there. */
  const ranged = async (mxc: string, offset: number, signal: AbortSignal | undefined): Promise<Response> => {
    const { server, id } = splitMxc(mxc);
    const headers = offset > 0 ? { ...auth, Range: `bytes=${offset}-` } : auth;
    // no-store: a part is read once, then checked and decrypted; a browser would otherwise keep
    // each 16 MiB body in its HTTP cache (`private, immutable`), in memory in a private window
    // (the network service's 270 k page faults per GiB downloaded in a fresh context)
    const res = await f(`${base}/_matrix/client/v1/media/download/${encodeURIComponent(server)}/${encodeURIComponent(id)}?timeout_ms=60000`, { headers, cache: "no-store", ...(signal ? { signal } : {}) });
    if (!res.ok || !res.body) return fail(res, "download");
    if (res.status === 206) {
      // Content-Range is hidden from a cross-origin page unless exposed; a 206 to `bytes=N-` starts at N.
      const range = res.headers.get("content-range");
      if (range !== null && !range.startsWith(`bytes ${offset}-`)) {
        await res.body.cancel();
        throw new MediaHttpError(0, undefined, `download: asked from byte ${offset}, got ${range}`);
      }
    }
    return res;
  };
  const getBlob = async (mxc: string, offset: number, signal?: AbortSignal): Promise<Blob> => {
    const res = await ranged(mxc, offset, signal);
    const blob = await res.blob();
    // The whole file came back (a server or proxy without ranges): slicing a Blob copies nothing.
    // Weighed: the JS engine then collects the dropped part Blobs often enough (blob-weight.ts).
    return weighBlob(offset > 0 && res.status !== 206 ? blob.slice(offset) : blob);
  };
  return {
    ...(o.blobBodies ? { getBlob } : {}),
    async create(signal) {
      const res = await f(`${base}/_matrix/media/v1/create`, { method: "POST", headers: auth, ...(signal ? { signal } : {}) });
      if (!res.ok) return fail(res, "create");
      const j = (await res.json()) as { content_uri?: unknown };
      if (typeof j.content_uri !== "string") throw new MediaHttpError(res.status, undefined, "create: no content_uri");
      return j.content_uri;
    },
    async put(mxc, body, length, signal) {
      await send(mxc, o.bufferParts ? await new Response(body).blob() : body, length, signal);
    },
    putBlob: (mxc, body, signal) => send(mxc, body, body.size, signal),
    // from byte 0: no Range header, the same no-store request as the resumes and Blob reads
    get: async (mxc, signal) => (await ranged(mxc, 0, signal)).body!,
    async getFrom(mxc, offset, signal) {
      const res = await ranged(mxc, offset, signal);
      if (res.status === 206) return res.body!;
      // The whole file came back (a server or proxy without ranges): drop what was read already.
      let skip = offset;
      return res.body!.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
        transform(c, ctl) {
          if (skip >= c.length) return void (skip -= c.length);
          ctl.enqueue(skip > 0 ? c.subarray(skip) : c);
          skip = 0;
        },
      }));
    },
  };
}
