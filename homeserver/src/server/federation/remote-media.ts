// Media of other servers for our clients: fetched once from the origin's federation media endpoint
// (multipart/mixed, or its `Location` form; the deprecated /_matrix/media/v3 endpoint when the
// origin does not know the new one) into our cache (remote-media-cache.ts). The bytes reach our
// clients as they arrive: the fetch writes the cache's temp file and downloads read it behind the
// writer (media/growing-file.ts), so a client waits for the origin's first bytes, not its last.
// Concurrent requests share one fetch. A fetch that fails mid-file errors every download reading
// it (the client sees a short body and resumes with Range) and leaves nothing in the cache.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#content-repository
import type { IncomingHttpHeaders } from "node:http";
import { MatrixError } from "../../spec/matrix-error.ts";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import { GrowingFile } from "../media/growing-file.ts";
import type { MediaFiles } from "../media/media-files.ts";
import { normaliseContentType } from "../media/media-headers.ts";
import type { LiveMedia, RemoteMediaSource, StoredMedia } from "../media/media-repository.ts";
import { streamToFile } from "../media/stream-to-file.ts";
import { RemoteMediaCache, remoteMediaKey } from "./remote-media-cache.ts";
import type { FederationClient } from "./transport/federation-client.ts";
import { FederationError } from "./transport/federation-error.ts";
import { MultipartError, MultipartReader, multipartBoundary, readPart } from "./multipart-mixed.ts";
import type { UrlFetch } from "./media-redirect.ts";

export interface RemoteMediaDeps {
  client: Pick<FederationClient, "getStream">;
  files: MediaFiles;
  /** media.path: the cache lives in its remote/ folder. */
  root: string;
  /** Largest remote file we accept (media.max_upload_bytes). */
  maxBytes: number;
  fetchUrl: UrlFetch;
  clock: Clock;
  log: Logger;
}

/** An open download: the file's bytes and what the origin said about them. */
interface OpenDownload {
  body: AsyncIterable<Uint8Array>;
  contentType: string;
  uploadName: string | undefined;
  /** The file's size when the origin announced it (Content-Length of the part or response). */
  size: number | undefined;
  /** Stops the underlying responses (safe to call twice). */
  close(): void;
}

const MEDIA_ID = /^[A-Za-z0-9_-]{1,255}$/;
/** Multipart framing and the JSON part: what a response may carry beyond the file itself. */
const FRAMING_SLACK = 64 * 1024;
const IDLE_TIMEOUT_MS = 60_000;
/** Longest time bytes from the origin wait before readers can have them (stream-to-file.ts). */
const TRICKLE_MS = 20;

export { remoteMediaKey };

/**
 * Whether the origin's answer means "no authenticated media endpoint" (an origin older than spec
 * v1.11), which sends us to the legacy endpoint. The spec names 404 M_UNRECOGNIZED; older Synapse
 * answers 400 M_UNRECOGNIZED for unknown paths, and a 405 says the path exists but not for GET.
 */
export function authenticatedMediaUnsupported(err: unknown): boolean {
  if (!(err instanceof FederationError) || err.kind !== "http") return false;
  return err.status === 405 || ((err.status === 404 || err.status === 400) && err.errcode === "M_UNRECOGNIZED");
}

export class RemoteMedia implements RemoteMediaSource {
  private readonly d: RemoteMediaDeps;
  private readonly cache: RemoteMediaCache;
  /** Fetches in progress, so concurrent requests for one file share one. */
  private readonly inFlight = new Map<string, Promise<LiveMedia | undefined>>();

  constructor(deps: RemoteMediaDeps) {
    this.d = deps;
    this.cache = new RemoteMediaCache({ files: deps.files, root: deps.root, log: deps.log });
  }

  async fetch(serverName: string, mediaId: string, timeoutMs: number): Promise<StoredMedia | undefined> {
    const m = await this.open(serverName, mediaId, timeoutMs);
    return m !== undefined && "kind" in m ? m.done : m;
  }

  async open(serverName: string, mediaId: string, timeoutMs: number): Promise<StoredMedia | LiveMedia | undefined> {
    if (!MEDIA_ID.test(mediaId)) return undefined;
    const key = remoteMediaKey(serverName, mediaId);
    const running = this.inFlight.get(key);
    if (running) return running;
    const cached = await this.cache.get(key);
    if (cached) return cached;
    let started = this.inFlight.get(key); // another request may have started it meanwhile
    if (!started) {
      const fetching = this.start(serverName, mediaId, key, timeoutMs);
      const forget = (): void => {
        if (this.inFlight.get(key) === fetching) this.inFlight.delete(key);
      };
      // kept until the file is cached (or failed): later requests read the same fetch
      void fetching.then((live) => (live ? live.done.then(forget, forget) : forget()), forget);
      this.inFlight.set(key, fetching);
      started = fetching;
    }
    return started;
  }

  /** Asks the origin, then fills the cache in the background; readers follow the file. */
  private async start(server: string, mediaId: string, key: string, timeoutMs: number): Promise<LiveMedia | undefined> {
    const open = await this.request(server, mediaId, timeoutMs);
    if (!open) return undefined;
    let file: GrowingFile;
    let tempPath: string;
    try {
      if (open.size !== undefined && open.size > this.d.maxBytes) throw tooLarge(server);
      tempPath = await this.d.files.newTempPath();
      file = await GrowingFile.create(tempPath);
    } catch (err) {
      open.close();
      throw err;
    }
    const done = this.fill(server, mediaId, key, open, file, tempPath);
    done.catch(() => undefined); // readers see a failure through the file, fetch() through done
    return { kind: "live", contentType: open.contentType, uploadName: open.uploadName, size: open.size, read: (start, end) => file.read(start, end), done };
  }

  private async fill(server: string, mediaId: string, key: string, open: OpenDownload, file: GrowingFile, tempPath: string): Promise<StoredMedia> {
    let media: StoredMedia;
    try {
      const limits = { maxBytes: this.d.maxBytes, quotaLeft: undefined };
      const got = await streamToFile(file.handle, open.body, limits, { afterMs: TRICKLE_MS, onWritten: (n) => file.grew(n) });
      if (open.size !== undefined && got.size !== open.size) throw new Error(`${server} announced ${open.size} bytes and sent ${got.size}`);
      await file.handle.datasync();
      media = await this.cache.put(key, tempPath, {
        server, media_id: mediaId, content_type: open.contentType, ...(open.uploadName === undefined ? {} : { upload_name: open.uploadName }),
        size: got.size, sha256: got.sha256, created_ts: this.d.clock.now(),
      });
    } catch (err) {
      const failure = this.failure(server, err);
      file.fail(failure);
      // at once, not after the clean-up: a request arriving meanwhile starts a new fetch rather
      // than attaching to this failed one
      this.inFlight.delete(key);
      await this.d.files.remove(tempPath);
      throw failure;
    } finally {
      open.close();
    }
    file.complete(media.path);
    this.d.log.info("remote media cached", { server, media_id: mediaId, size: media.size });
    return media;
  }

  /** Asks the origin; undefined when it does not have the media. */
  private async request(server: string, mediaId: string, timeoutMs: number): Promise<OpenDownload | undefined> {
    const opts = { timeoutMs: timeoutMs + 10_000, idleTimeoutMs: IDLE_TIMEOUT_MS };
    const query = `timeout_ms=${timeoutMs}`;
    try {
      const res = await this.d.client.getStream(server, `/_matrix/federation/v1/media/download/${encodeURIComponent(mediaId)}?${query}`, opts);
      this.checkDeclaredLength(server, res.headers, FRAMING_SLACK, () => res.stream.destroy());
      return await this.fromMultipart(server, res.headers, res.stream, opts);
    } catch (err) {
      if (!authenticatedMediaUnsupported(err)) return this.notFoundOr(server, err);
    }
    try {
      const path = `/_matrix/media/v3/download/${encodeURIComponent(server)}/${encodeURIComponent(mediaId)}?allow_remote=false&${query}`;
      const res = await this.d.client.getStream(server, path, opts);
      this.checkDeclaredLength(server, res.headers, 0, () => res.stream.destroy());
      return plainDownload(res.headers, res.stream, () => res.stream.destroy());
    } catch (err) {
      return this.notFoundOr(server, err);
    }
  }

  private async fromMultipart(server: string, headers: IncomingHttpHeaders, stream: OpenStream, opts: { timeoutMs: number; idleTimeoutMs: number }): Promise<OpenDownload> {
    const boundary = multipartBoundary(headers["content-type"]);
    if (boundary === undefined) {
      stream.destroy();
      throw new MultipartError(`${server} did not answer multipart/mixed`);
    }
    const reader = new MultipartReader(stream, boundary);
    try {
      const meta = await reader.nextPart();
      if (!meta) throw new MultipartError("no metadata part");
      JSON.parse((await readPart(meta.body, FRAMING_SLACK)).toString("utf8"));
      const file = await reader.nextPart();
      if (!file) throw new MultipartError("no file part");
      const location = file.headers.get("location");
      if (location === undefined) {
        const size = declaredSize(file.headers.get("content-length"));
        return { body: file.body, ...describe(file.headers.get("content-type"), file.headers.get("content-disposition")), size, close: () => stream.destroy() };
      }
      // the Location form: the bytes are elsewhere; never cache the URL (it may expire)
      stream.destroy();
      const target = await this.d.fetchUrl(new URL(location).toString(), opts);
      this.checkDeclaredLength(server, target.headers, 0, () => target.stream.destroy());
      return plainDownload(target.headers, target.stream, () => target.stream.destroy());
    } catch (err) {
      stream.destroy();
      throw err;
    }
  }

  /** A declared Content-Length over the limit is refused before a byte is read. */
  private checkDeclaredLength(server: string, headers: IncomingHttpHeaders, slack: number, abort: () => void): void {
    const declared = Number(headers["content-length"] ?? "0");
    if (declared > this.d.maxBytes + slack) {
      abort();
      throw tooLarge(server);
    }
  }

  private notFoundOr(server: string, err: unknown): undefined {
    if (err instanceof FederationError && err.kind === "http" && err.status === 404) return undefined;
    throw this.failure(server, err);
  }

  /** Spec (GET /download): 502 M_TOO_LARGE when the remote content is too large; 504 not yet uploaded. */
  private failure(server: string, err: unknown): MatrixError {
    if (err instanceof MatrixError) return err.errcode === "M_TOO_LARGE" ? tooLarge(server) : err;
    if (err instanceof FederationError && err.kind === "http" && err.errcode === "M_NOT_YET_UPLOADED") {
      return new MatrixError("M_NOT_YET_UPLOADED", 504, "Content has not yet been uploaded");
    }
    if (err instanceof FederationError && err.kind === "refused") return new MatrixError("M_FORBIDDEN", 403, err.message);
    this.d.log.warn("remote media fetch failed", { server, error: err instanceof Error ? err.message : String(err) });
    return new MatrixError("M_UNKNOWN", 502, `Could not fetch media from ${server}`);
  }
}

type OpenStream = AsyncIterable<Uint8Array> & { destroy(err?: Error): void };

const tooLarge = (server: string): MatrixError => new MatrixError("M_TOO_LARGE", 502, `Media from ${server} is too large to serve`);

function plainDownload(headers: IncomingHttpHeaders, body: AsyncIterable<Uint8Array>, close: () => void): OpenDownload {
  // a Content-Length counts encoded bytes: no size when the body is content-encoded
  const size = headers["content-encoding"] === undefined ? declaredSize(headers["content-length"]) : undefined;
  return { body, ...describe(headers["content-type"], headers["content-disposition"]), size, close };
}

function declaredSize(value: string | undefined): number | undefined {
  return value !== undefined && /^\s*\d{1,15}\s*$/.test(value) ? Number(value) : undefined;
}

function describe(contentType: string | undefined, disposition: string | undefined): { contentType: string; uploadName: string | undefined } {
  return { contentType: normaliseContentType(contentType), uploadName: dispositionFileName(disposition) };
}

/** The file name of a Content-Disposition (RFC 6266: filename*=utf-8''… wins over filename=). */
export function dispositionFileName(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  let name: string | undefined;
  const extended = /(?:^|;)\s*filename\*\s*=\s*utf-8''([^;\s]*)/i.exec(header);
  if (extended) {
    try {
      name = decodeURIComponent(extended[1] ?? "");
    } catch {
      name = undefined;
    }
  }
  if (name === undefined) {
    const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/i.exec(header);
    name = plain ? (plain[1]?.replace(/\\(.)/g, "$1") ?? plain[2]) : undefined;
  }
  // what we would accept from a client as a file name (media-headers.ts checkFileName)
  if (name === undefined || name === "" || name.length > 255 || /[\u0000-\u001f\u007f/\\]/.test(name)) return undefined;
  return name;
}
