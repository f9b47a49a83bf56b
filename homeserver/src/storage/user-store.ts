// Users, devices and access tokens. Tokens are stored as sha256 hashes, never in clear.
import { createHash } from "node:crypto";
import type { Database } from "./sql.ts";
import { num } from "./sql.ts";

export interface UserRow {
  userId: string;
  passwordHash: string | undefined;
  isAdmin: boolean;
  deactivated: boolean;
  displayname: string | undefined;
  avatarUrl: string | undefined;
  appserviceId: string | undefined;
}

export interface DeviceRow {
  userId: string;
  deviceId: string;
  displayName: string | undefined;
  lastSeenTs: number | undefined;
  lastSeenIp: string | undefined;
}

export const hashToken = (token: string): string => createHash("sha256").update(token).digest("base64");

type UserSql = { user_id: string; password_hash: string | null; is_admin: number; deactivated: number; displayname: string | null; avatar_url: string | null; appservice_id: string | null };

export class UserStore {
  private readonly db: Database;
  constructor(deps: { db: Database }) {
    this.db = deps.db;
  }

  async createUser(u: { userId: string; passwordHash: string | undefined; isAdmin?: boolean; displayname?: string; appserviceId?: string; ts: number }): Promise<boolean> {
    const r = await this.db.run(
      "INSERT INTO users (user_id, password_hash, is_admin, displayname, appservice_id, created_ts) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
      [u.userId, u.passwordHash ?? null, u.isAdmin ? 1 : 0, u.displayname ?? null, u.appserviceId ?? null, u.ts]);
    return r.changes === 1;
  }

  async getUser(userId: string): Promise<UserRow | undefined> {
    const r = await this.db.one<UserSql>("SELECT user_id, password_hash, is_admin, deactivated, displayname, avatar_url, appservice_id FROM users WHERE user_id = ?", [userId]);
    if (!r) return undefined;
    return { userId: r.user_id, passwordHash: r.password_hash ?? undefined, isAdmin: num(r.is_admin) === 1, deactivated: num(r.deactivated) === 1,
      displayname: r.displayname ?? undefined, avatarUrl: r.avatar_url ?? undefined, appserviceId: r.appservice_id ?? undefined };
  }

  async listUsers(): Promise<UserRow[]> {
    const ids = await this.db.all<{ user_id: string }>("SELECT user_id FROM users ORDER BY user_id");
    const out: UserRow[] = [];
    for (const { user_id } of ids) {
      const u = await this.getUser(user_id);
      if (u) out.push(u);
    }
    return out;
  }

  async setPasswordHash(userId: string, hash: string | undefined): Promise<void> {
    await this.db.run("UPDATE users SET password_hash = ? WHERE user_id = ?", [hash ?? null, userId]);
  }
  async setDeactivated(userId: string): Promise<void> {
    await this.db.run("UPDATE users SET deactivated = 1, password_hash = NULL WHERE user_id = ?", [userId]);
  }
  async setProfile(userId: string, field: "displayname" | "avatar_url", value: string | undefined): Promise<void> {
    await this.db.run(`UPDATE users SET ${field} = ? WHERE user_id = ?`, [value ?? null, userId]);
  }
  async searchUsers(term: string, limit: number): Promise<UserRow[]> {
    const like = `%${term.toLowerCase().replace(/[%_]/g, "")}%`;
    const ids = await this.db.all<{ user_id: string }>("SELECT user_id FROM users WHERE deactivated = 0 AND (LOWER(user_id) LIKE ? OR LOWER(COALESCE(displayname, '')) LIKE ?) ORDER BY user_id LIMIT ?", [like, like, limit]);
    const out: UserRow[] = [];
    for (const { user_id } of ids) {
      const u = await this.getUser(user_id);
      if (u) out.push(u);
    }
    return out;
  }

  async upsertDevice(userId: string, deviceId: string, displayName: string | undefined): Promise<void> {
    await this.db.run(
      "INSERT INTO devices (user_id, device_id, display_name) VALUES (?, ?, ?) ON CONFLICT (user_id, device_id) DO UPDATE SET display_name = COALESCE(excluded.display_name, devices.display_name)",
      [userId, deviceId, displayName ?? null]);
  }
  async getDevice(userId: string, deviceId: string): Promise<DeviceRow | undefined> {
    const r = await this.db.one<{ user_id: string; device_id: string; display_name: string | null; last_seen_ts: number | null; last_seen_ip: string | null }>(
      "SELECT user_id, device_id, display_name, last_seen_ts, last_seen_ip FROM devices WHERE user_id = ? AND device_id = ?", [userId, deviceId]);
    return r ? { userId: r.user_id, deviceId: r.device_id, displayName: r.display_name ?? undefined, lastSeenTs: r.last_seen_ts === null ? undefined : num(r.last_seen_ts), lastSeenIp: r.last_seen_ip ?? undefined } : undefined;
  }
  async listDevices(userId: string): Promise<DeviceRow[]> {
    const rows = await this.db.all<{ device_id: string }>("SELECT device_id FROM devices WHERE user_id = ? ORDER BY device_id", [userId]);
    const out: DeviceRow[] = [];
    for (const r of rows) {
      const d = await this.getDevice(userId, r.device_id);
      if (d) out.push(d);
    }
    return out;
  }
  async renameDevice(userId: string, deviceId: string, name: string): Promise<boolean> {
    return (await this.db.run("UPDATE devices SET display_name = ? WHERE user_id = ? AND device_id = ?", [name, userId, deviceId])).changes === 1;
  }
  async touchDevice(userId: string, deviceId: string, ip: string, ts: number): Promise<void> {
    await this.db.run("UPDATE devices SET last_seen_ts = ?, last_seen_ip = ? WHERE user_id = ? AND device_id = ?", [ts, ip, userId, deviceId]);
  }
  /** Deletes a device and its tokens. */
  async deleteDevice(userId: string, deviceId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run("DELETE FROM access_tokens WHERE user_id = ? AND device_id = ?", [userId, deviceId]);
      await tx.run("DELETE FROM devices WHERE user_id = ? AND device_id = ?", [userId, deviceId]);
    });
  }

  async addAccessToken(token: string, userId: string, deviceId: string, ts: number): Promise<void> {
    await this.db.run("INSERT INTO access_tokens (token_hash, user_id, device_id, created_ts) VALUES (?, ?, ?, ?)", [hashToken(token), userId, deviceId, ts]);
  }
  async lookupToken(token: string): Promise<{ userId: string; deviceId: string } | undefined> {
    const r = await this.db.one<{ user_id: string; device_id: string }>("SELECT user_id, device_id FROM access_tokens WHERE token_hash = ?", [hashToken(token)]);
    return r ? { userId: r.user_id, deviceId: r.device_id } : undefined;
  }
  async deleteToken(token: string): Promise<void> {
    await this.db.run("DELETE FROM access_tokens WHERE token_hash = ?", [hashToken(token)]);
  }
  async deleteAllTokens(userId: string, exceptDevice?: string): Promise<void> {
    await this.db.run("DELETE FROM access_tokens WHERE user_id = ? AND device_id <> ?", [userId, exceptDevice ?? ""]);
  }
  async deleteAllDevices(userId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run("DELETE FROM access_tokens WHERE user_id = ?", [userId]);
      await tx.run("DELETE FROM devices WHERE user_id = ?", [userId]);
    });
  }
}
