// Users, devices and access tokens. Tokens are stored as sha256 hashes, never in clear.
import { createHash } from "node:crypto";
import type { Database } from "./sql.ts";
import { num } from "./sql.ts";
import type { AccessTokenCache } from "../server/users/access-token-cache.ts";

/** Pusher writes this process made (any UserStore), counted once each ended: kept pusher lists compare it. */
let pusherWrites = 0;
export const pusherWriteCount = (): number => pusherWrites;

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

export interface PresenceRow {
  userId: string;
  state: string;
  statusMsg: string | undefined;
  lastActiveTs: number;
}

export interface PusherRow {
  userId: string;
  appId: string;
  pushkey: string;
  /** The device whose access token set the pusher. */
  deviceId: string;
  /** The pusher as the client gave it (spec Pusher object). */
  pusher: Record<string, unknown>;
}

export const hashToken = (token: string): string => createHash("sha256").update(token).digest("base64");

type UserSql = { user_id: string; password_hash: string | null; is_admin: number; deactivated: number; displayname: string | null; avatar_url: string | null; appservice_id: string | null };

export class UserStore {
  /** Found tokens kept by this process (access-token-cache.ts); cleared after every token DELETE. */
  private readonly tokenCache: AccessTokenCache | undefined;
  private readonly db: Database;
  constructor(deps: { db: Database; tokenCache?: AccessTokenCache }) {
    this.db = deps.db;
    this.tokenCache = deps.tokenCache;
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
  /** Replaces the hash only if it is still `previous` (a re-hash must not undo a concurrent password change). */
  async replacePasswordHash(userId: string, previous: string, hash: string): Promise<boolean> {
    const r = await this.db.run("UPDATE users SET password_hash = ? WHERE user_id = ? AND password_hash = ?", [hash, userId, previous]);
    return r.changes === 1;
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
    this.tokensDeleted();
  }

  async addAccessToken(token: string, userId: string, deviceId: string, ts: number): Promise<void> {
    await this.db.run("INSERT INTO access_tokens (token_hash, user_id, device_id, created_ts) VALUES (?, ?, ?, ?)", [hashToken(token), userId, deviceId, ts]);
  }
  async lookupToken(token: string): Promise<{ userId: string; deviceId: string } | undefined> {
    const hash = hashToken(token);
    const cache = this.tokenCache;
    const kept = cache?.get(hash);
    if (kept) return { ...kept };
    const mark = cache?.mark();
    const r = await this.db.one<{ user_id: string; device_id: string }>("SELECT user_id, device_id FROM access_tokens WHERE token_hash = ?", [hash]);
    if (!r) return undefined;
    const owner = { userId: r.user_id, deviceId: r.device_id };
    if (cache && mark !== undefined) cache.keep(hash, { ...owner }, mark);
    return owner;
  }
  async deleteToken(token: string): Promise<void> {
    await this.db.run("DELETE FROM access_tokens WHERE token_hash = ?", [hashToken(token)]);
    this.tokensDeleted();
  }
  async deleteAllTokens(userId: string, exceptDevice?: string): Promise<void> {
    await this.db.run("DELETE FROM access_tokens WHERE user_id = ? AND device_id <> ?", [userId, exceptDevice ?? ""]);
    this.tokensDeleted();
  }
  async deleteAllDevices(userId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run("DELETE FROM access_tokens WHERE user_id = ?", [userId]);
      await tx.run("DELETE FROM devices WHERE user_id = ?", [userId]);
    });
    this.tokensDeleted();
  }
  /**
   * After a token DELETE committed: no kept token of this process survives it (a lookup that
   * overlapped it keeps nothing). Other processes hear it through PostgreSQL (token-revocations.ts).
   */
  private tokensDeleted(): void {
    this.tokenCache?.clear();
  }
  // ---- Account API additions (server/api/account/) ----

  /** Revokes the tokens of one device but keeps the device (login with an existing device_id). */
  async deleteDeviceTokens(userId: string, deviceId: string): Promise<void> {
    await this.db.run("DELETE FROM access_tokens WHERE user_id = ? AND device_id = ?", [userId, deviceId]);
    this.tokensDeleted();
  }

  /** m.login.token tokens, stored hashed like access tokens. */
  async addLoginToken(token: string, userId: string, expiresTs: number): Promise<void> {
    await this.db.run("INSERT INTO login_tokens (token_hash, user_id, expires_ts) VALUES (?, ?, ?)", [hashToken(token), userId, expiresTs]);
  }
  /** Single use: the token is deleted whether or not it is still valid. */
  async consumeLoginToken(token: string, now: number): Promise<string | undefined> {
    return this.db.transaction(async (tx) => {
      await tx.run("DELETE FROM login_tokens WHERE expires_ts <= ?", [now]);
      const r = await tx.one<{ user_id: string }>("DELETE FROM login_tokens WHERE token_hash = ? RETURNING user_id", [hashToken(token)]);
      return r?.user_id;
    });
  }

  /** OpenID tokens handed to widgets and checked by /_matrix/federation/v1/openid/userinfo. */
  async addOpenIdToken(token: string, userId: string, expiresTs: number, now: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run("DELETE FROM openid_tokens WHERE expires_ts <= ?", [now]);
      await tx.run("INSERT INTO openid_tokens (token_hash, user_id, expires_ts) VALUES (?, ?, ?)", [hashToken(token), userId, expiresTs]);
    });
  }
  async lookupOpenIdToken(token: string, now: number): Promise<string | undefined> {
    const r = await this.db.one<{ user_id: string }>("SELECT user_id FROM openid_tokens WHERE token_hash = ? AND expires_ts > ?", [hashToken(token), now]);
    return r?.user_id;
  }

  /** Extended profile fields (everything but displayname and avatar_url), values as JSON. */
  async getProfileFields(userId: string): Promise<Record<string, unknown>> {
    const rows = await this.db.all<{ field: string; value: string }>("SELECT field, value FROM profile_fields WHERE user_id = ? ORDER BY field", [userId]);
    const out: Record<string, unknown> = {};
    for (const r of rows) out[r.field] = JSON.parse(r.value) as unknown;
    return out;
  }
  async setProfileField(userId: string, field: string, value: unknown): Promise<void> {
    await this.db.run(
      "INSERT INTO profile_fields (user_id, field, value) VALUES (?, ?, ?) ON CONFLICT (user_id, field) DO UPDATE SET value = excluded.value",
      [userId, field, JSON.stringify(value)]);
  }
  async deleteProfileField(userId: string, field: string): Promise<void> {
    await this.db.run("DELETE FROM profile_fields WHERE user_id = ? AND field = ?", [userId, field]);
  }
  /** Erasure on deactivation: display name, avatar and extended fields. */
  async eraseProfile(userId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run("DELETE FROM profile_fields WHERE user_id = ?", [userId]);
      await tx.run("UPDATE users SET displayname = NULL, avatar_url = NULL WHERE user_id = ?", [userId]);
    });
  }

  /** Sets presence and moves the user to the head of the presence stream (for /sync). */
  async setPresence(userId: string, state: string, statusMsg: string | undefined, ts: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run(
        "INSERT INTO presence (user_id, state, status_msg, last_active_ts) VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, status_msg = excluded.status_msg, last_active_ts = excluded.last_active_ts",
        [userId, state, statusMsg ?? null, ts]);
      await tx.run("DELETE FROM presence_stream WHERE user_id = ?", [userId]);
      await tx.run("INSERT INTO presence_stream (user_id) VALUES (?)", [userId]);
    });
  }

  /** Users whose presence changed after stream position `since` (newest last, at most `limit`). */
  async presenceChangedSince(since: number, limit: number): Promise<string[]> {
    const rows = await this.db.all<{ user_id: string }>("SELECT user_id FROM presence_stream WHERE stream_id > ? ORDER BY stream_id DESC LIMIT ?", [since, limit]);
    return rows.map((r) => r.user_id).reverse();
  }

  async maxPresenceStream(): Promise<number> {
    return num((await this.db.one<{ m: number | null }>("SELECT MAX(stream_id) AS m FROM presence_stream"))?.m);
  }
  async getPresence(userId: string): Promise<PresenceRow | undefined> {
    const r = await this.db.one<{ state: string; status_msg: string | null; last_active_ts: number }>("SELECT state, status_msg, last_active_ts FROM presence WHERE user_id = ?", [userId]);
    return r ? { userId, state: r.state, statusMsg: r.status_msg ?? undefined, lastActiveTs: num(r.last_active_ts) } : undefined;
  }

  async listPushers(userId: string): Promise<PusherRow[]> {
    return (await this.listPushersOf([userId])).get(userId) ?? [];
  }

  /** The pushers of several users in one statement (chunks of 500), keyed by user. */
  async listPushersOf(userIds: readonly string[]): Promise<Map<string, PusherRow[]>> {
    const out = new Map<string, PusherRow[]>(userIds.map((u) => [u, []]));
    for (let i = 0; i < userIds.length; i += 500) {
      const chunk = userIds.slice(i, i + 500);
      const rows = await this.db.all<{ user_id: string; app_id: string; pushkey: string; device_id: string; json: string }>(
        `SELECT user_id, app_id, pushkey, device_id, json FROM pushers WHERE user_id IN (${chunk.map(() => "?").join(", ")}) ORDER BY created_ts, app_id, pushkey`, chunk);
      for (const r of rows) out.get(r.user_id)?.push({ userId: r.user_id, appId: r.app_id, pushkey: r.pushkey, deviceId: r.device_id, pusher: JSON.parse(r.json) as Record<string, unknown> });
    }
    return out;
  }

  async upsertPusher(p: PusherRow, append: boolean, ts: number): Promise<void> {
    try {
      await this.db.transaction(async (tx) => {
        if (!append) await tx.run("DELETE FROM pushers WHERE app_id = ? AND pushkey = ? AND user_id <> ?", [p.appId, p.pushkey, p.userId]);
        await tx.run(
          "INSERT INTO pushers (user_id, app_id, pushkey, device_id, json, created_ts) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, app_id, pushkey) DO UPDATE SET device_id = excluded.device_id, json = excluded.json",
          [p.userId, p.appId, p.pushkey, p.deviceId, JSON.stringify(p.pusher), ts]);
      });
    } finally {
      pusherWrites++;
    }
  }
  async deletePusher(userId: string, appId: string, pushkey: string): Promise<void> {
    try {
      await this.db.run("DELETE FROM pushers WHERE user_id = ? AND app_id = ? AND pushkey = ?", [userId, appId, pushkey]);
    } finally {
      pusherWrites++;
    }
  }
  async deleteAllPushers(userId: string): Promise<void> {
    try {
      await this.db.run("DELETE FROM pushers WHERE user_id = ?", [userId]);
    } finally {
      pusherWrites++;
    }
  }
}
