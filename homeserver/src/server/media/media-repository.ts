// The media repository service: uploads (direct and async), lookups for download, thumbnails.
// HTTP lives in api/media/; this class knows only stores, files and the clock.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#content-repository
import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { MatrixError, notFound } from "../../spec/matrix-error.ts";
import type { HomeserverConfig } from "../../config/config-types.ts";
import type { MediaRow, MediaStore } from "../../storage/media-store.ts";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { MediaFiles } from "./media-files.ts";
import type { ThumbnailRequest, ThumbnailResult, Thumbnailer } from "./thumbnailer.ts";
import { UploadWaiters } from "./upload-waiters.ts";

/** Media whose bytes are on this server's disk, ready to stream. */
export interface StoredMedia {
  mediaId: string;
  path: string;
  contentType: string;
  uploadName: string | undefined;
  size: number;
  sha256: string;
  createdTs: number;
}

export interface UploadInput {
  userId: string;
  contentType: string;
  fileName: string | undefined;
  /** Content-Length when the client sent one: lets us refuse before reading a byte. */
  declaredLength: number | undefined;
  body: AsyncIterable<Uint8Array>;
}

/**
 * Remote media still arriving from its origin, served as it comes (media/growing-file.ts): the
 * first bytes reach the client before the origin has sent the last.
 */
export interface LiveMedia {
  kind: "live";
  contentType: string;
  uploadName: string | undefined;
  /** The size the origin announced, when it did: then Range requests are served at once. */
  size: number | undefined;
  /** Bytes [start, end) as they arrive; the stream errors if the fetch fails before `end`. */
  read(start: number, end?: number): Readable;
  /** The cached media once every byte is in; rejects when the fetch fails (nothing is cached then). */
  done: Promise<StoredMedia>;
}

/**
 * Where media of other servers comes from: federation/remote-media.ts
 * (GET /_matrix/federation/v1/media/download/{mediaId}, cached locally); none without federation.
 */
export interface RemoteMediaSource {
  /** The whole media, cached (thumbnails need all of it). */
  fetch(serverName: string, mediaId: string, timeoutMs: number): Promise<StoredMedia | undefined>;
  /** The cached media, or the fetch in progress as soon as the origin has answered. */
  open(serverName: string, mediaId: string, timeoutMs: number): Promise<StoredMedia | LiveMedia | undefined>;
}

/** Spec (POST /create): recommended expiry of unused ids, and a cap on pending uploads per user. */
export const UNUSED_EXPIRY_MS = 24 * 60 * 60 * 1000;
export const MAX_PENDING_PER_USER = 50;
/** Spec: timeout_ms defaults to 20 s and "SHOULD impose a maximum". */
export const DEFAULT_WAIT_MS = 20_000;
export const MAX_WAIT_MS = 60_000;

export interface MediaRepositoryDeps {
  store: MediaStore;
  files: MediaFiles;
  thumbnailer: Thumbnailer;
  clock: Clock;
  log: Logger;
  serverName: string;
  config: HomeserverConfig["media"];
  remote?: RemoteMediaSource;
  newMediaId?: () => string;
}

export const randomMediaId = (): string => randomBytes(18).toString("base64url"); // 24 url-safe chars

export class MediaRepository {
  private readonly d: MediaRepositoryDeps;
  private readonly newMediaId: () => string;
  private readonly waiters = new UploadWaiters();

  constructor(deps: MediaRepositoryDeps) {
    this.d = deps;
    this.newMediaId = deps.newMediaId ?? randomMediaId;
  }

  get maxUploadBytes(): number {
    return this.d.config.maxUploadBytes;
  }

  mxc(mediaId: string): string {
    return `mxc://${this.d.serverName}/${mediaId}`;
  }

  /** POST /_matrix/media/v3/upload: streams the body to disk, then records it. Returns the media id. */
  async upload(input: UploadInput): Promise<string> {
    const mediaId = this.newMediaId();
    const received = await this.receive(input);
    const finalPath = this.d.files.localPath(mediaId);
    await this.d.files.commit(received.tempPath, finalPath);
    try {
      await this.d.store.insertUploaded({ mediaId, userId: input.userId, contentType: input.contentType, uploadName: input.fileName,
        size: received.size, sha256: received.sha256 }, this.d.clock.now());
    } catch (err) {
      await this.d.files.remove(finalPath);
      throw err;
    }
    return mediaId;
  }

  /** POST /_matrix/media/v1/create: reserves an id to be uploaded later by the same user. */
  async create(userId: string): Promise<{ mediaId: string; expiresTs: number }> {
    const now = this.d.clock.now();
    if (await this.d.store.countPending(userId, now) >= MAX_PENDING_PER_USER) {
      throw new MatrixError("M_LIMIT_EXCEEDED", 429, "Too many pending media uploads", { retry_after_ms: 60_000 });
    }
    const mediaId = this.newMediaId();
    const expiresTs = now + UNUSED_EXPIRY_MS;
    await this.d.store.insertPending(mediaId, userId, now, expiresTs);
    return { mediaId, expiresTs };
  }

  /** PUT /_matrix/media/v3/upload/{serverName}/{mediaId}: fills an id reserved by create(). */
  async uploadTo(mediaId: string, input: UploadInput): Promise<void> {
    const row = await this.d.store.get(mediaId);
    const now = this.d.clock.now();
    if (!row || isExpired(row, now)) throw notFound("Unknown media ID");
    if (row.userId !== input.userId) throw new MatrixError("M_FORBIDDEN", 403, "Only the creator of this media ID may upload to it");
    if (row.state !== "pending" || !(await this.d.store.claimPending(mediaId, now))) {
      throw new MatrixError("M_CANNOT_OVERWRITE_MEDIA", 409, "Media already uploaded");
    }
    try {
      const received = await this.receive(input);
      await this.d.files.commit(received.tempPath, this.d.files.localPath(mediaId));
      const done = await this.d.store.completeClaim({ mediaId, userId: input.userId, contentType: input.contentType,
        uploadName: input.fileName, size: received.size, sha256: received.sha256 });
      if (!done) throw new Error(`lost the upload claim on ${mediaId}`);
    } catch (err) {
      await this.d.store.releaseClaim(mediaId);
      throw err;
    }
    this.waiters.notify(mediaId);
  }

  /**
   * Finds media for download. Local media not uploaded yet is waited for up to timeoutMs, then
   * 504 M_NOT_YET_UPLOADED (spec: GET /download, timeout_ms).
   */
  async find(serverName: string, mediaId: string, timeoutMs: number): Promise<StoredMedia> {
    if (serverName !== this.d.serverName) {
      // federation hook: remote media is fetched over federation and cached here
      const remote = this.d.remote ? await this.d.remote.fetch(serverName, mediaId, timeoutMs) : undefined;
      if (!remote) throw notFound("Media not found");
      return remote;
    }
    const deadline = this.d.clock.now() + Math.min(Math.max(0, timeoutMs), MAX_WAIT_MS);
    for (;;) {
      const row = await this.d.store.get(mediaId);
      const now = this.d.clock.now();
      if (!row || isExpired(row, now)) throw notFound("Media not found");
      if (row.state === "uploaded") return this.stored(row);
      if (now >= deadline) throw new MatrixError("M_NOT_YET_UPLOADED", 504, "Content has not yet been uploaded");
      // woken at once by an upload in this process; the poll covers uploads through another process
      await this.waiters.wait(mediaId, Math.min(500, deadline - now));
    }
  }

  /** Like find(), but remote media not cached yet is served while it arrives. */
  async findForDownload(serverName: string, mediaId: string, timeoutMs: number): Promise<StoredMedia | LiveMedia> {
    if (serverName === this.d.serverName || !this.d.remote) return this.find(serverName, mediaId, timeoutMs);
    const remote = await this.d.remote.open(serverName, mediaId, timeoutMs);
    if (!remote) throw notFound("Media not found");
    return remote;
  }

  async thumbnail(media: StoredMedia, req: ThumbnailRequest): Promise<ThumbnailResult> {
    return this.d.thumbnailer.thumbnail({ mediaId: media.mediaId, path: media.path, contentType: media.contentType, size: media.size }, req);
  }

  private async receive(input: UploadInput): ReturnType<MediaFiles["receive"]> {
    const max = this.d.config.maxUploadBytes;
    const quota = this.d.config.userQuotaBytes;
    const quotaLeft = quota > 0 ? Math.max(0, quota - (await this.d.store.usedBytes(input.userId))) : undefined;
    const tooLarge = new MatrixError("M_TOO_LARGE", 413, `Upload exceeds the maximum size of ${max} bytes`);
    const overQuota = new MatrixError("M_FORBIDDEN", 403, "Upload exceeds your media quota");
    if (input.declaredLength !== undefined && input.declaredLength > max) throw tooLarge;
    if (input.declaredLength !== undefined && quotaLeft !== undefined && input.declaredLength > quotaLeft) throw overQuota;
    const received = await this.d.files.receive(input.body, { maxBytes: max, quotaLeft });
    // two concurrent uploads may each fit the quota alone: check again now the size is known
    // (the quota is soft by at most one upload across processes; documented in the README)
    if (quota > 0 && (await this.d.store.usedBytes(input.userId)) + received.size > quota) {
      await this.d.files.remove(received.tempPath);
      throw overQuota;
    }
    return received;
  }

  private async stored(row: MediaRow): Promise<StoredMedia> {
    const path = this.d.files.localPath(row.mediaId);
    const size = await this.d.files.sizeOf(path);
    if (size === undefined) {
      this.d.log.error("media file missing", { media_id: row.mediaId });
      throw notFound("Media not found");
    }
    return { mediaId: row.mediaId, path, contentType: row.contentType ?? "application/octet-stream", uploadName: row.uploadName,
      size, sha256: row.sha256 ?? "", createdTs: row.createdTs };
  }
}

const isExpired = (row: MediaRow, now: number): boolean => row.state !== "uploaded" && row.expiresTs !== undefined && row.expiresTs <= now;
