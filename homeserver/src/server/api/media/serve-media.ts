// Streams a media file from disk with the security headers, caching headers and single-range
// support (206 / 416) so large downloads can resume. Never buffers the file. Remote media still
// arriving from its origin (LiveMedia) is served the same way as its bytes come in.
import { Buffer } from "node:buffer";
import type { Readable } from "node:stream";
import type { RequestContext } from "../../http/request-context.ts";
import type { HandlerResult } from "../../http/router.ts";
import type { MediaFiles } from "../../media/media-files.ts";
import type { LiveMedia } from "../../media/media-repository.ts";
import { parseByteRange } from "../../media/byte-range.ts";
import { MEDIA_SECURITY_HEADERS } from "../../media/media-headers.ts";

export interface ServedFile {
  path: string;
  size: number;
  contentType: string;
  contentDisposition: string;
  /** Strong validator of the bytes (they never change once uploaded). */
  etag: string;
  /** Authenticated media must not sit in shared caches; the bytes themselves are immutable. */
  cacheControl: string;
}

export function serveMedia(ctx: RequestContext, files: MediaFiles, f: ServedFile): HandlerResult {
  const etag = `"${f.etag}"`;
  const base: Record<string, string> = { ...MEDIA_SECURITY_HEADERS, "Cache-Control": f.cacheControl, ETag: etag, "Accept-Ranges": "bytes" };
  if (ctx.req.headers["if-none-match"]?.split(",").some((t) => t.trim() === etag)) {
    return { status: 304, raw: new Uint8Array(0), headers: base };
  }
  const headers = { ...base, "Content-Type": f.contentType, "Content-Disposition": f.contentDisposition };
  // RFC 9110 §13.1.5: a Range with a stale If-Range validator gets the whole representation
  const ifRange = ctx.req.headers["if-range"];
  const range = ifRange !== undefined && ifRange !== etag ? { kind: "full" as const } : parseByteRange(ctx.req.headers.range, f.size);
  if (range.kind === "unsatisfiable") return unsatisfiable(base, f.size);
  if (range.kind === "partial") {
    const stream = closeWithClient(ctx, files.read(f.path, range));
    return { status: 206, stream, headers: { ...headers, "Content-Length": String(range.end - range.start + 1), "Content-Range": `bytes ${range.start}-${range.end}/${f.size}` } };
  }
  return { status: 200, stream: closeWithClient(ctx, files.read(f.path)), headers: { ...headers, "Content-Length": String(f.size) } };
}

export type LiveFile = Omit<ServedFile, "path" | "size" | "etag" | "contentType">;

/**
 * Remote media while it arrives. No ETag (the sha256 is known only at the end; a resumed request
 * then carries no If-Range, which is right: the bytes never change). With the size announced by
 * the origin, Content-Length and ranges are served at once; without it the body is chunked and a
 * Range request waits for the whole file, then is served from the cache (`whenDone`).
 */
export async function serveLive(ctx: RequestContext, m: LiveMedia, f: LiveFile, whenDone: (stored: Awaited<LiveMedia["done"]>) => HandlerResult): Promise<HandlerResult> {
  const base: Record<string, string> = { ...MEDIA_SECURITY_HEADERS, "Cache-Control": f.cacheControl, "Accept-Ranges": "bytes" };
  const headers = { ...base, "Content-Type": m.contentType, "Content-Disposition": f.contentDisposition };
  const asked = ctx.req.headers.range;
  if (m.size === undefined) {
    if (asked !== undefined) return whenDone(await m.done);
    return { status: 200, stream: closeWithClient(ctx, m.read(0)), headers };
  }
  // RFC 9110 §13.1.5: we have no validator yet, so any If-Range fails and the whole file is sent
  const range = ctx.req.headers["if-range"] !== undefined ? { kind: "full" as const } : parseByteRange(asked, m.size);
  if (range.kind === "unsatisfiable") return unsatisfiable(base, m.size);
  if (range.kind === "partial") {
    const stream = closeWithClient(ctx, m.read(range.start, range.end + 1));
    return { status: 206, stream, headers: { ...headers, "Content-Length": String(range.end - range.start + 1), "Content-Range": `bytes ${range.start}-${range.end}/${m.size}` } };
  }
  return { status: 200, stream: closeWithClient(ctx, m.read(0, m.size)), headers: { ...headers, "Content-Length": String(m.size) } };
}

function unsatisfiable(base: Record<string, string>, size: number): HandlerResult {
  const body = Buffer.from(JSON.stringify({ errcode: "M_UNKNOWN", error: "Requested range not satisfiable" }));
  return { status: 416, raw: body, headers: { ...base, "Content-Type": "application/json", "Content-Range": `bytes */${size}` } };
}

/** Closes the file when the client goes away mid-download (piping alone would leave it open). */
function closeWithClient<S extends Readable>(ctx: RequestContext, stream: S): S {
  const socket = ctx.req.socket;
  const abort = (): void => {
    stream.destroy();
  };
  socket.once("close", abort);
  stream.once("close", () => socket.off("close", abort));
  return stream;
}
