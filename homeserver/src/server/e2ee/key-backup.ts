// Server-side key backups: versions and the room keys stored in them, with the spec's rule for
// which of two copies of a session key to keep.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#server-side-key-backups
import { MatrixError, badJson, invalidParam, notFound } from "../../spec/matrix-error.ts";
import type { BackupVersionRow, E2eeBackupStore, RoomKeyRow, RoomKeyScope } from "../../storage/e2ee-backup-store.ts";
import type { KeyJson } from "../../storage/e2ee-store.ts";

export type RoomKeyData = Omit<RoomKeyRow, "roomId" | "sessionId">;

/**
 * Whether a stored key beats a new one: a verified key beats an unverified one, then the lower
 * first_message_index wins, then the lower forwarded_count; on a full tie the stored key stays.
 */
export function keepStoredRoomKey(stored: RoomKeyData, incoming: RoomKeyData): boolean {
  if (stored.isVerified !== incoming.isVerified) return stored.isVerified;
  if (stored.firstMessageIndex !== incoming.firstMessageIndex) return stored.firstMessageIndex < incoming.firstMessageIndex;
  return stored.forwardedCount <= incoming.forwardedCount;
}

/** A KeyBackupData object: https://spec.matrix.org/v1.16/client-server-api/#put_matrixclientv3room_keyskeysroomidsessionid */
export function parseRoomKeyData(raw: unknown, where: string): RoomKeyData {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw badJson(`'${where}' must be an object`);
  const o = raw as KeyJson;
  const int = (k: string): number => {
    const v = o[k];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw badJson(`'${where}.${k}' must be a non-negative integer`);
    return v;
  };
  const isVerified = o["is_verified"];
  if (typeof isVerified !== "boolean") throw badJson(`'${where}.is_verified' must be a boolean`);
  const sessionData = o["session_data"];
  if (typeof sessionData !== "object" || sessionData === null || Array.isArray(sessionData)) throw badJson(`'${where}.session_data' must be an object`);
  return { firstMessageIndex: int("first_message_index"), forwardedCount: int("forwarded_count"), isVerified, sessionData };
}

export const roomKeyJson = (k: RoomKeyData): KeyJson => ({
  first_message_index: k.firstMessageIndex, forwarded_count: k.forwardedCount, is_verified: k.isVerified, session_data: k.sessionData,
});

/** `algorithm` and `auth_data` of a version body. */
export function parseVersionBody(body: KeyJson): { algorithm: string; authData: KeyJson } {
  const algorithm = body["algorithm"];
  if (typeof algorithm !== "string" || algorithm === "" || algorithm.length > 255) throw badJson("'algorithm' must be a non-empty string");
  const authData = body["auth_data"];
  if (typeof authData !== "object" || authData === null || Array.isArray(authData)) throw badJson("'auth_data' must be an object");
  return { algorithm, authData: authData as KeyJson };
}

const wrongVersion = (current: string): MatrixError =>
  new MatrixError("M_WRONG_ROOM_KEYS_VERSION", 403, "Wrong backup version: keys can only be stored in the current backup", { current_version: current });

export class KeyBackup {
  private readonly store: E2eeBackupStore;
  constructor(deps: { store: E2eeBackupStore }) {
    this.store = deps.store;
  }

  async createVersion(userId: string, body: KeyJson): Promise<string> {
    const { algorithm, authData } = parseVersionBody(body);
    return this.store.createVersion(userId, algorithm, authData);
  }

  /** The version's info (the current one when `version` is undefined), or 404 M_NOT_FOUND. */
  async versionInfo(userId: string, version: string | undefined): Promise<KeyJson> {
    const v = version === undefined ? await this.store.currentVersion(userId) : await this.store.getVersion(userId, version);
    if (!v) throw notFound(version === undefined ? "No current backup version" : `Unknown backup version ${version}`);
    return { algorithm: v.algorithm, auth_data: v.authData, count: await this.store.countKeys(userId, v.version), etag: String(v.etag), version: v.version };
  }

  async updateVersion(userId: string, version: string, body: KeyJson): Promise<void> {
    const existing = await this.existing(userId, version);
    const { algorithm, authData } = parseVersionBody(body);
    if (algorithm !== existing.algorithm) throw invalidParam("Algorithm does not match the backup's algorithm");
    if (body["version"] !== undefined && body["version"] !== version) throw invalidParam("'version' in the body does not match the version in the path");
    await this.store.updateAuthData(userId, version, authData);
  }

  async deleteVersion(userId: string, version: string): Promise<void> {
    if (!(await this.store.deleteVersion(userId, version))) throw notFound(`Unknown backup version ${version}`);
  }

  async putKeys(userId: string, version: string, keys: RoomKeyRow[]): Promise<{ etag: string; count: number }> {
    const r = await this.store.putKeys(userId, version, keys, keepStoredRoomKey);
    if (r === undefined) throw notFound("No backup exists");
    if ("wrongVersion" in r) throw wrongVersion(r.wrongVersion);
    return { etag: String(r.etag), count: r.count };
  }

  async getKeys(userId: string, version: string, scope: RoomKeyScope): Promise<RoomKeyRow[]> {
    await this.existing(userId, version);
    return this.store.getKeys(userId, version, scope);
  }

  async deleteKeys(userId: string, version: string, scope: RoomKeyScope): Promise<{ etag: string; count: number }> {
    const r = await this.store.deleteKeys(userId, version, scope);
    if (!r) throw notFound(`Unknown backup version ${version}`);
    return { etag: String(r.etag), count: r.count };
  }

  private async existing(userId: string, version: string): Promise<BackupVersionRow> {
    const v = await this.store.getVersion(userId, version);
    if (!v) throw notFound(`Unknown backup version ${version}`);
    return v;
  }
}
