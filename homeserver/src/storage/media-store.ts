// The media table: one row per local mxc:// id. The bytes live on disk (server/media/media-files.ts);
// this row says who uploaded what, whether the bytes are there yet, and their size and sha256.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#content-repository
import type { Database } from "./sql.ts";
import { num, optStr } from "./sql.ts";

/** The `uploaded` column: 0 = created by /create, waiting; 2 = a PUT is streaming it; 1 = bytes stored. */
export const MEDIA_PENDING = 0;
export const MEDIA_UPLOADED = 1;
export const MEDIA_UPLOADING = 2;
export type MediaState = "pending" | "uploading" | "uploaded";

export interface MediaRow {
  mediaId: string;
  userId: string | undefined;
  contentType: string | undefined;
  uploadName: string | undefined;
  size: number;
  sha256: string | undefined;
  createdTs: number;
  state: MediaState;
  /** For media created by /create: when the unused id stops being accepted. */
  expiresTs: number | undefined;
}

export interface UploadedMedia {
  mediaId: string;
  userId: string;
  contentType: string;
  uploadName: string | undefined;
  size: number;
  sha256: string;
}

type MediaSql = {
  media_id: string; user_id: string | null; content_type: string | null; upload_name: string | null;
  size: number | null; sha256: string | null; created_ts: number; uploaded: number; expires_ts: number | null;
};

const stateOf = (v: number): MediaState => (v === MEDIA_UPLOADED ? "uploaded" : v === MEDIA_UPLOADING ? "uploading" : "pending");

export class MediaStore {
  private readonly db: Database;
  constructor(deps: { db: Database }) {
    this.db = deps.db;
  }

  async get(mediaId: string): Promise<MediaRow | undefined> {
    const r = await this.db.one<MediaSql>(
      "SELECT media_id, user_id, content_type, upload_name, size, sha256, created_ts, uploaded, expires_ts FROM media WHERE media_id = ?", [mediaId]);
    if (!r) return undefined;
    return {
      mediaId: r.media_id, userId: optStr(r.user_id), contentType: optStr(r.content_type), uploadName: optStr(r.upload_name),
      size: num(r.size), sha256: optStr(r.sha256), createdTs: num(r.created_ts), state: stateOf(num(r.uploaded)),
      expiresTs: r.expires_ts === null ? undefined : num(r.expires_ts),
    };
  }

  /** A complete upload (POST /upload): the file is already in place. */
  async insertUploaded(m: UploadedMedia, ts: number): Promise<void> {
    await this.db.run(
      "INSERT INTO media (media_id, user_id, content_type, upload_name, size, sha256, created_ts, uploaded) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      [m.mediaId, m.userId, m.contentType, m.uploadName ?? null, m.size, m.sha256, ts, MEDIA_UPLOADED]);
  }

  /** An id reserved by POST /create, to be filled by PUT before expiresTs. */
  async insertPending(mediaId: string, userId: string, ts: number, expiresTs: number): Promise<void> {
    await this.db.run("INSERT INTO media (media_id, user_id, created_ts, uploaded, expires_ts) VALUES (?, ?, ?, ?, ?)",
      [mediaId, userId, ts, MEDIA_PENDING, expiresTs]);
  }

  /**
   * Claims a pending id for one PUT, so two concurrent PUTs (even in two processes) cannot both
   * write it. False when the id is not pending any more.
   */
  async claimPending(mediaId: string, now: number): Promise<boolean> {
    const r = await this.db.run("UPDATE media SET uploaded = ? WHERE media_id = ? AND uploaded = ? AND (expires_ts IS NULL OR expires_ts > ?)",
      [MEDIA_UPLOADING, mediaId, MEDIA_PENDING, now]);
    return r.changes === 1;
  }

  /** Gives a claimed id back (the PUT failed), so the client can try again. */
  async releaseClaim(mediaId: string): Promise<void> {
    await this.db.run("UPDATE media SET uploaded = ? WHERE media_id = ? AND uploaded = ?", [MEDIA_PENDING, mediaId, MEDIA_UPLOADING]);
  }

  /** Completes a claimed id; the file must already be in place. */
  async completeClaim(m: UploadedMedia): Promise<boolean> {
    const r = await this.db.run(
      "UPDATE media SET content_type = ?, upload_name = ?, size = ?, sha256 = ?, uploaded = ?, expires_ts = NULL WHERE media_id = ? AND uploaded = ?",
      [m.contentType, m.uploadName ?? null, m.size, m.sha256, MEDIA_UPLOADED, m.mediaId, MEDIA_UPLOADING]);
    return r.changes === 1;
  }

  /** Bytes of media the user has stored, for the per-user quota. */
  async usedBytes(userId: string): Promise<number> {
    const r = await this.db.one<{ total: number | null }>("SELECT SUM(size) AS total FROM media WHERE user_id = ? AND uploaded = ?", [userId, MEDIA_UPLOADED]);
    return num(r?.total);
  }

  /** Ids created by the user, not yet uploaded and not expired (spec: limit concurrent pending uploads). */
  async countPending(userId: string, now: number): Promise<number> {
    const r = await this.db.one<{ n: number }>(
      "SELECT COUNT(*) AS n FROM media WHERE user_id = ? AND uploaded <> ? AND expires_ts IS NOT NULL AND expires_ts > ?", [userId, MEDIA_UPLOADED, now]);
    return num(r?.n);
  }
}
