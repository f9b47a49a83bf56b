// Media of other servers for our clients: fetched once from the origin's federation media endpoint
// (multipart/mixed, or its `Location` form; the deprecated /_matrix/media/v3 endpoint when the
// origin does not know the new one), streamed to disk without buffering, then served from our cache.
// Cache layout, under media.path: remote/<key[1:3]>/<key[3:5]>/<key> (the bytes) and <key>.json
// (content type, name, size, sha256), key = "r" + sha256(origin "/" media id). The .json is written
// last, so its presence means a complete file; the cache is safe to delete.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#content-repository
import { createHash } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { IncomingHttpHeaders } from "node:http";
import { MatrixError } from "../../spec/matrix-error.ts";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { MediaFiles, ReceivedFile } from "../media/media-files.ts";
import { normaliseContentType } from "../media/media-headers.ts";
import type { RemoteMediaSource, StoredMedia } from "../media/media-repository.ts";
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
  /** Stops the underlying responses (safe to call twice). */
  close(): void;
}

interface CacheMeta {
  server: string;
  media_id: string;
  content_type: string;
  upload_name?: string;
  size: number;
  sha256: string;
  created_ts: number;
}

const MEDIA_ID = /^[A-Za-z0-9_-]{1,255}$/;
/** Multipart framing and the JSON part: what a response may carry beyond the file itself. */
const FRAMING_SLACK = 64 * 1024;
const IDLE_TIMEOUT_MS = 60_000;

/** The cache key of a remote media: never equal to a local media id (those are 24 characters). */
/**
 * Whether the origin's answer means "no authenticated media endpoint" (an origin older than spec
 * v1.11), which sends us to the legacy endpoint. The spec names 404 M_UNRECOGNIZED; older Synapse
 * answers 400 M_UNRECOGNIZED for unknown paths, and a 405 says the path exists but not for GET.
 */
export function authenticatedMediaUnsupported(err: unknown): boolean {
  if (!(err instanceof FederationError) || err.kind !== "http") return false;
  return err.status === 405 || ((err.status === 404 || err.status === 400) && err.errcode === "M_UNRECOGNIZED");
}

export function remoteMediaKey(serverName: string, mediaId: string): string {
  return "r" + createHash("sha256").update(`${serverName}/${mediaId}`).digest("base64url");
}

export class RemoteMedia implements RemoteMediaSource {
  private readonly d: RemoteMediaDeps;
  /** Downloads in progress, so concurrent requests for one file fetch it once. */
  private readonly inFlight = new Map<string, Promise<StoredMedia | undefined>>();

  constructor(deps: RemoteMediaDeps) {
    this.d = deps;
  }

  async fetch(serverName: string, mediaId: string, timeoutMs: number): Promise<StoredMedia | undefined> {
    if (!MEDIA_ID.test(mediaId)) return undefined;
    const key = remoteMediaKey(serverName, mediaId);
    const cached = await this.cached(key);
    if (cached) return cached;
    let running = this.inFlight.get(key);
    if (!running) {
      running = this.download(serverName, mediaId, key, timeoutMs).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, running);
    }
    return running;
  }

  private dataPath(key: string): string {
    return join(this.d.root, "remote", key.slice(1, 3), key.slice(3, 5), key);
  }

  private async cached(key: string): Promise<StoredMedia | undefined> {
    const path = this.dataPath(key);
    let meta: CacheMeta;
    try {
      meta = JSON.parse(await readFile(`${path}.json`, "utf8")) as CacheMeta;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      this.d.log.warn("unreadable remote media cache entry; fetching again", { key, error: String(err) });
      return undefined;
    }
    if ((await this.d.files.sizeOf(path)) !== meta.size) return undefined;
    return { mediaId: key, path, contentType: meta.content_type, uploadName: meta.upload_name, size: meta.size, sha256: meta.sha256, createdTs: meta.created_ts };
  }

  private async download(server: string, mediaId: string, key: string, timeoutMs: number): Promise<StoredMedia | undefined> {
    const open = await this.open(server, mediaId, timeoutMs);
    if (!open) return undefined;
    let received: ReceivedFile;
    try {
      received = await this.d.files.receive(open.body, { maxBytes: this.d.maxBytes, quotaLeft: undefined });
    } catch (err) {
      throw this.failure(server, err);
    } finally {
      open.close();
    }
    const path = this.dataPath(key);
    await this.d.files.commit(received.tempPath, path);
    const meta: CacheMeta = {
      server, media_id: mediaId, content_type: open.contentType, ...(open.uploadName === undefined ? {} : { upload_name: open.uploadName }),
      size: received.size, sha256: received.sha256, created_ts: this.d.clock.now(),
    };
    const tmp = await this.d.files.newTempPath();
    await writeFile(tmp, JSON.stringify(meta), { mode: 0o600 });
    await rename(tmp, `${path}.json`).catch(async (err: unknown) => {
      await this.d.files.remove(tmp);
      throw err;
    });
    this.d.log.info("remote media cached", { server, media_id: mediaId, size: received.size });
    return { mediaId: key, path, contentType: meta.content_type, uploadName: open.uploadName, size: meta.size, sha256: meta.sha256, createdTs: meta.created_ts };
  }

  /** Asks the origin; undefined when it does not have the media. */
  private async open(server: string, mediaId: string, timeoutMs: number): Promise<OpenDownload | undefined> {
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
        return { body: file.body, ...describe(file.headers.get("content-type"), file.headers.get("content-disposition")), close: () => stream.destroy() };
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
  return { body, ...describe(headers["content-type"], headers["content-disposition"]), close };
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
