// Server-side key backups: versions (one current per user, the newest not deleted) and the
// encrypted room keys stored in them. The etag changes whenever a version's keys change.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#server-side-key-backups
import type { Database, SqlExecutor } from "./sql.ts";
import { num } from "./sql.ts";

export interface BackupVersionRow {
  version: string;
  algorithm: string;
  authData: unknown;
  etag: number;
}

export interface RoomKeyRow {
  roomId: string;
  sessionId: string;
  firstMessageIndex: number;
  forwardedCount: number;
  isVerified: boolean;
  sessionData: unknown;
}

/** Which keys an operation touches: the whole version, one room, or one session. */
export interface RoomKeyScope {
  roomId?: string;
  sessionId?: string;
}

type VersionSql = { version: number; algorithm: string; auth_data: string; etag: number };
type KeySql = { room_id: string; session_id: string; first_message_index: number; forwarded_count: number; is_verified: number; session_data: string };

const versionRow = (r: VersionSql): BackupVersionRow => ({ version: String(r.version), algorithm: r.algorithm, authData: JSON.parse(r.auth_data) as unknown, etag: num(r.etag) });
const keyRow = (r: KeySql): RoomKeyRow => ({
  roomId: r.room_id, sessionId: r.session_id, firstMessageIndex: num(r.first_message_index), forwardedCount: num(r.forwarded_count),
  isVerified: num(r.is_verified) === 1, sessionData: JSON.parse(r.session_data) as unknown,
});

/** Version ids are our own decimal sequence numbers; anything else names no backup. */
const versionNumber = (version: string): number | undefined => (/^\d{1,15}$/.test(version) ? Number(version) : undefined);

function scopeSql(scope: RoomKeyScope): { where: string; params: string[] } {
  let where = "";
  const params: string[] = [];
  if (scope.roomId !== undefined) {
    where += " AND room_id = ?";
    params.push(scope.roomId);
  }
  if (scope.sessionId !== undefined) {
    where += " AND session_id = ?";
    params.push(scope.sessionId);
  }
  return { where, params };
}

export class E2eeBackupStore {
  private readonly db: Database;
  constructor(deps: { db: Database }) {
    this.db = deps.db;
  }

  async createVersion(userId: string, algorithm: string, authData: unknown): Promise<string> {
    const r = await this.db.one<{ version: number }>(
      "INSERT INTO e2e_room_keys_versions (user_id, algorithm, auth_data, etag, deleted) VALUES (?, ?, ?, 0, 0) RETURNING version",
      [userId, algorithm, JSON.stringify(authData)]);
    return String(num(r?.version));
  }

  async currentVersion(userId: string, exec: SqlExecutor = this.db): Promise<BackupVersionRow | undefined> {
    const r = await exec.one<VersionSql>(
      "SELECT version, algorithm, auth_data, etag FROM e2e_room_keys_versions WHERE user_id = ? AND deleted = 0 ORDER BY version DESC LIMIT 1", [userId]);
    return r ? versionRow(r) : undefined;
  }

  async getVersion(userId: string, version: string): Promise<BackupVersionRow | undefined> {
    const v = versionNumber(version);
    if (v === undefined) return undefined;
    const r = await this.db.one<VersionSql>(
      "SELECT version, algorithm, auth_data, etag FROM e2e_room_keys_versions WHERE user_id = ? AND version = ? AND deleted = 0", [userId, v]);
    return r ? versionRow(r) : undefined;
  }

  async updateAuthData(userId: string, version: string, authData: unknown): Promise<void> {
    await this.db.run("UPDATE e2e_room_keys_versions SET auth_data = ? WHERE user_id = ? AND version = ? AND deleted = 0",
      [JSON.stringify(authData), userId, versionNumber(version) ?? -1]);
  }

  /** Marks the version deleted and drops its keys; false when there was no such version. */
  async deleteVersion(userId: string, version: string): Promise<boolean> {
    const v = versionNumber(version);
    if (v === undefined) return false;
    return this.db.transaction(async (tx) => {
      const r = await tx.run("UPDATE e2e_room_keys_versions SET deleted = 1 WHERE user_id = ? AND version = ? AND deleted = 0", [userId, v]);
      await tx.run("DELETE FROM e2e_room_keys WHERE user_id = ? AND version = ?", [userId, v]);
      return r.changes === 1;
    });
  }

  async countKeys(userId: string, version: string, exec: SqlExecutor = this.db): Promise<number> {
    const r = await exec.one<{ n: number }>("SELECT COUNT(*) AS n FROM e2e_room_keys WHERE user_id = ? AND version = ?", [userId, versionNumber(version) ?? -1]);
    return num(r?.n);
  }

  async getKeys(userId: string, version: string, scope: RoomKeyScope = {}): Promise<RoomKeyRow[]> {
    const { where, params } = scopeSql(scope);
    const rows = await this.db.all<KeySql>(
      "SELECT room_id, session_id, first_message_index, forwarded_count, is_verified, session_data FROM e2e_room_keys WHERE user_id = ? AND version = ?" +
      `${where} ORDER BY room_id, session_id`, [userId, versionNumber(version) ?? -1, ...params]);
    return rows.map(keyRow);
  }

  /**
   * Stores keys into the CURRENT version, keeping a stored key when `keepOld(old, new)` says so.
   * Returns the new etag and count, or `wrongVersion` (with the current one) when `version` is
   * not current, or undefined when the user has no backup at all.
   */
  async putKeys(userId: string, version: string, keys: readonly RoomKeyRow[], keepOld: (old: RoomKeyRow, neu: RoomKeyRow) => boolean):
    Promise<{ etag: number; count: number } | { wrongVersion: string } | undefined> {
    return this.db.transaction(async (tx) => {
      const current = await this.currentVersion(userId, tx);
      if (!current) return undefined;
      if (current.version !== version) return { wrongVersion: current.version };
      const v = Number(version);
      let changed = false;
      for (const k of keys) {
        const old = await tx.one<KeySql>(
          "SELECT room_id, session_id, first_message_index, forwarded_count, is_verified, session_data FROM e2e_room_keys WHERE user_id = ? AND version = ? AND room_id = ? AND session_id = ?",
          [userId, v, k.roomId, k.sessionId]);
        if (old && keepOld(keyRow(old), k)) continue;
        await tx.run(
          "INSERT INTO e2e_room_keys (user_id, version, room_id, session_id, first_message_index, forwarded_count, is_verified, session_data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)" +
          " ON CONFLICT (user_id, version, room_id, session_id) DO UPDATE SET first_message_index = excluded.first_message_index," +
          " forwarded_count = excluded.forwarded_count, is_verified = excluded.is_verified, session_data = excluded.session_data",
          [userId, v, k.roomId, k.sessionId, k.firstMessageIndex, k.forwardedCount, k.isVerified ? 1 : 0, JSON.stringify(k.sessionData)]);
        changed = true;
      }
      const etag = changed ? await bumpEtag(tx, userId, v) : current.etag;
      return { etag, count: await this.countKeys(userId, version, tx) };
    });
  }

  /** Deletes keys of an existing version; undefined when the version does not exist. */
  async deleteKeys(userId: string, version: string, scope: RoomKeyScope = {}): Promise<{ etag: number; count: number } | undefined> {
    const v = versionNumber(version);
    if (v === undefined) return undefined;
    return this.db.transaction(async (tx) => {
      const exists = await tx.one<{ etag: number }>("SELECT etag FROM e2e_room_keys_versions WHERE user_id = ? AND version = ? AND deleted = 0", [userId, v]);
      if (!exists) return undefined;
      const { where, params } = scopeSql(scope);
      const r = await tx.run(`DELETE FROM e2e_room_keys WHERE user_id = ? AND version = ?${where}`, [userId, v, ...params]);
      const etag = r.changes > 0 ? await bumpEtag(tx, userId, v) : num(exists.etag);
      return { etag, count: await this.countKeys(userId, version, tx) };
    });
  }
}

async function bumpEtag(tx: SqlExecutor, userId: string, version: number): Promise<number> {
  const r = await tx.one<{ etag: number }>("UPDATE e2e_room_keys_versions SET etag = etag + 1 WHERE user_id = ? AND version = ? RETURNING etag", [userId, version]);
  return num(r?.etag);
}
