// End-to-end encryption keys and the two e2ee streams: device keys, one-time and fallback keys,
// cross-signing keys and their signatures, the device-list change stream, to-device messages and
// the outbox of to-device messages for other servers. JSON objects are stored as text, exactly as
// the client signed them. Spec: https://spec.matrix.org/v1.16/client-server-api/#end-to-end-encryption
import type { Database, SqlExecutor } from "./sql.ts";
import { num } from "./sql.ts";

export type KeyJson = Record<string, unknown>;
export type CrossSigningType = "master" | "self_signing" | "user_signing";

export interface DeviceKeysRow {
  userId: string;
  deviceId: string;
  keys: KeyJson;
  displayName: string | undefined;
}

export interface OneTimeKey {
  algorithm: string;
  /** The full `<algorithm>:<key id>` name. */
  keyId: string;
  key: unknown;
}

export interface SignatureRow {
  targetUserId: string;
  /** A device id, or the unpadded Base64 public key of a cross-signing key. */
  targetKeyId: string;
  signerUserId: string;
  /** e.g. `ed25519:<public key or device id>`. */
  signerKeyId: string;
  signature: string;
}

export interface ToDeviceRow {
  stream: number;
  sender: string;
  type: string;
  content: unknown;
}

export interface NewToDevice {
  userId: string;
  deviceId: string;
  type: string;
  content: unknown;
}

export const TO_DEVICE_HEAD = "to_device";
/**
 * Moves (+1) in the transaction of every change to one-time or fallback keys, of any device: /sync
 * keeps a device's key counts while it stays (server/e2ee/key-counts.ts).
 */
export const KEYS_HEAD = "one_time_keys";
const TXN_TTL_MS = 24 * 3600_000;
const parse = (text: string): KeyJson => JSON.parse(text) as KeyJson;
const marks = (n: number): string => Array.from({ length: n }, () => "?").join(",");

export class E2eeStore {
  private readonly db: Database;
  constructor(deps: { db: Database }) {
    this.db = deps.db;
  }

  // ---- device keys ----

  async getDeviceKeys(userId: string, deviceId: string): Promise<KeyJson | undefined> {
    const r = await this.db.one<{ key_json: string }>("SELECT key_json FROM e2e_device_keys WHERE user_id = ? AND device_id = ?", [userId, deviceId]);
    return r ? parse(r.key_json) : undefined;
  }

  async putDeviceKeys(userId: string, deviceId: string, keys: KeyJson): Promise<void> {
    await this.db.run(
      "INSERT INTO e2e_device_keys (user_id, device_id, key_json) VALUES (?, ?, ?) ON CONFLICT (user_id, device_id) DO UPDATE SET key_json = excluded.key_json",
      [userId, deviceId, JSON.stringify(keys)]);
  }

  /** Device keys of one user (all devices, or the listed ones), with the devices' display names. */
  async deviceKeysOf(userId: string, deviceIds: readonly string[] = []): Promise<DeviceKeysRow[]> {
    const filter = deviceIds.length > 0 ? ` AND k.device_id IN (${marks(deviceIds.length)})` : "";
    const rows = await this.db.all<{ device_id: string; key_json: string; display_name: string | null }>(
      "SELECT k.device_id, k.key_json, d.display_name FROM e2e_device_keys k JOIN devices d ON d.user_id = k.user_id AND d.device_id = k.device_id" +
      ` WHERE k.user_id = ?${filter} ORDER BY k.device_id`, [userId, ...deviceIds]);
    return rows.map((r) => ({ userId, deviceId: r.device_id, keys: parse(r.key_json), displayName: r.display_name ?? undefined }));
  }

  /** Deletes keys, one-time keys, pending messages and signatures of devices that no longer exist. */
  async pruneRemovedDevices(userId: string): Promise<number> {
    const gone = "device_id NOT IN (SELECT device_id FROM devices WHERE user_id = ?)";
    return this.db.transaction(async (tx) => {
      const removed = await tx.run(`DELETE FROM e2e_device_keys WHERE user_id = ? AND ${gone}`, [userId, userId]);
      await tx.run(`DELETE FROM e2e_one_time_keys WHERE user_id = ? AND ${gone}`, [userId, userId]);
      await tx.run(`DELETE FROM e2e_fallback_keys WHERE user_id = ? AND ${gone}`, [userId, userId]);
      await bumpKeysHead(tx);
      await tx.run(`DELETE FROM to_device_messages WHERE user_id = ? AND ${gone}`, [userId, userId]);
      await tx.run(
        "DELETE FROM e2e_signatures WHERE target_user_id = ? AND target_key_id NOT IN (SELECT device_id FROM devices WHERE user_id = ?)" +
        " AND target_key_id NOT IN (SELECT public_key FROM e2e_cross_signing_keys WHERE user_id = ?)", [userId, userId, userId]);
      return removed.changes;
    });
  }

  // ---- one-time and fallback keys ----

  /**
   * Adds one-time keys unless one of them reuses a stored key id with a different key: then
   * nothing is written and the conflicting ids are returned. Re-sending identical keys is a no-op.
   */
  async addOneTimeKeys(userId: string, deviceId: string, keys: readonly OneTimeKey[]): Promise<string[]> {
    if (keys.length === 0) return [];
    return this.db.transaction(async (tx) => {
      const conflicts: string[] = [];
      const fresh: OneTimeKey[] = [];
      for (const k of keys) {
        const old = await tx.one<{ key_json: string }>(
          "SELECT key_json FROM e2e_one_time_keys WHERE user_id = ? AND device_id = ? AND algorithm = ? AND key_id = ?", [userId, deviceId, k.algorithm, k.keyId]);
        if (old === undefined) fresh.push(k);
        else if (old.key_json !== JSON.stringify(k.key)) conflicts.push(k.keyId);
      }
      if (conflicts.length > 0) return conflicts;
      for (const k of fresh) {
        await tx.run("INSERT INTO e2e_one_time_keys (user_id, device_id, algorithm, key_id, key_json) VALUES (?, ?, ?, ?, ?)",
          [userId, deviceId, k.algorithm, k.keyId, JSON.stringify(k.key)]);
      }
      if (fresh.length > 0) await bumpKeysHead(tx);
      return [];
    });
  }

  async countOneTimeKeys(userId: string, deviceId: string): Promise<Record<string, number>> {
    const rows = await this.db.all<{ algorithm: string; n: number }>(
      "SELECT algorithm, COUNT(*) AS n FROM e2e_one_time_keys WHERE user_id = ? AND device_id = ? GROUP BY algorithm", [userId, deviceId]);
    return Object.fromEntries(rows.map((r) => [r.algorithm, num(r.n)]));
  }

  /** Replaces the device's fallback key for this algorithm (unused again, even if identical). */
  async setFallbackKey(userId: string, deviceId: string, k: OneTimeKey): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run(
        "INSERT INTO e2e_fallback_keys (user_id, device_id, algorithm, key_id, key_json, used) VALUES (?, ?, ?, ?, ?, 0)" +
        " ON CONFLICT (user_id, device_id, algorithm) DO UPDATE SET key_id = excluded.key_id, key_json = excluded.key_json," +
        " used = CASE WHEN e2e_fallback_keys.key_json = excluded.key_json THEN e2e_fallback_keys.used ELSE 0 END",
        [userId, deviceId, k.algorithm, k.keyId, JSON.stringify(k.key)]);
      await bumpKeysHead(tx);
    });
  }

  /** The key-change position (KEYS_HEAD); 0 before any key was stored. */
  async keysHead(): Promise<number> {
    return num((await this.db.one<{ pos: number }>("SELECT pos FROM e2e_stream_heads WHERE stream = ?", [KEYS_HEAD]))?.pos);
  }

  async unusedFallbackAlgorithms(userId: string, deviceId: string): Promise<string[]> {
    const rows = await this.db.all<{ algorithm: string }>(
      "SELECT algorithm FROM e2e_fallback_keys WHERE user_id = ? AND device_id = ? AND used = 0 ORDER BY algorithm", [userId, deviceId]);
    return rows.map((r) => r.algorithm);
  }

  /**
   * What every /sync reports of a device's keys, in one statement: one-time key counts per
   * algorithm and the algorithms of its unused fallback keys (sorted).
   */
  async keysForSync(userId: string, deviceId: string): Promise<{ oneTimeCounts: Record<string, number>; unusedFallback: string[] }> {
    const rows = await this.db.all<{ k: string; algorithm: string; n: number }>(
      "SELECT 'o' AS k, algorithm, COUNT(*) AS n FROM e2e_one_time_keys WHERE user_id = ? AND device_id = ? GROUP BY algorithm" +
      " UNION ALL SELECT 'f' AS k, algorithm, 0 AS n FROM e2e_fallback_keys WHERE user_id = ? AND device_id = ? AND used = 0 ORDER BY k, algorithm",
      [userId, deviceId, userId, deviceId]);
    return {
      oneTimeCounts: Object.fromEntries(rows.filter((r) => r.k === "o").map((r) => [r.algorithm, num(r.n)])),
      unusedFallback: rows.filter((r) => r.k === "f").map((r) => r.algorithm),
    };
  }

  /** Takes the oldest one-time key of the algorithm (deleting it), else the fallback key (marked used). */
  async claimKey(userId: string, deviceId: string, algorithm: string): Promise<{ keyId: string; key: unknown } | undefined> {
    return this.db.transaction(async (tx) => {
      const otk = await tx.one<{ id: number; key_id: string; key_json: string }>(
        "SELECT id, key_id, key_json FROM e2e_one_time_keys WHERE user_id = ? AND device_id = ? AND algorithm = ? ORDER BY id LIMIT 1", [userId, deviceId, algorithm]);
      if (otk) {
        await tx.run("DELETE FROM e2e_one_time_keys WHERE id = ?", [otk.id]);
        await bumpKeysHead(tx);
        return { keyId: otk.key_id, key: JSON.parse(otk.key_json) as unknown };
      }
      const fb = await tx.one<{ key_id: string; key_json: string }>(
        "SELECT key_id, key_json FROM e2e_fallback_keys WHERE user_id = ? AND device_id = ? AND algorithm = ?", [userId, deviceId, algorithm]);
      if (!fb) return undefined;
      await tx.run("UPDATE e2e_fallback_keys SET used = 1 WHERE user_id = ? AND device_id = ? AND algorithm = ?", [userId, deviceId, algorithm]);
      await bumpKeysHead(tx);
      return { keyId: fb.key_id, key: JSON.parse(fb.key_json) as unknown };
    });
  }

  // ---- cross-signing ----

  async crossSigningKeys(userId: string): Promise<Partial<Record<CrossSigningType, KeyJson>>> {
    const rows = await this.db.all<{ key_type: CrossSigningType; key_json: string }>("SELECT key_type, key_json FROM e2e_cross_signing_keys WHERE user_id = ?", [userId]);
    return Object.fromEntries(rows.map((r) => [r.key_type, parse(r.key_json)]));
  }

  async putCrossSigningKeys(userId: string, keys: readonly { type: CrossSigningType; publicKey: string; json: KeyJson }[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const k of keys) {
        await tx.run(
          "INSERT INTO e2e_cross_signing_keys (user_id, key_type, public_key, key_json) VALUES (?, ?, ?, ?)" +
          " ON CONFLICT (user_id, key_type) DO UPDATE SET public_key = excluded.public_key, key_json = excluded.key_json",
          [userId, k.type, k.publicKey, JSON.stringify(k.json)]);
      }
    });
  }

  async addSignatures(rows: readonly SignatureRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (const r of rows) {
        await tx.run(
          "INSERT INTO e2e_signatures (target_user_id, target_key_id, signer_user_id, signer_key_id, signature) VALUES (?, ?, ?, ?, ?)" +
          " ON CONFLICT (target_user_id, target_key_id, signer_user_id, signer_key_id) DO UPDATE SET signature = excluded.signature",
          [r.targetUserId, r.targetKeyId, r.signerUserId, r.signerKeyId, r.signature]);
      }
    });
  }

  async signaturesOf(targetUserId: string): Promise<SignatureRow[]> {
    const rows = await this.db.all<{ target_key_id: string; signer_user_id: string; signer_key_id: string; signature: string }>(
      "SELECT target_key_id, signer_user_id, signer_key_id, signature FROM e2e_signatures WHERE target_user_id = ?", [targetUserId]);
    return rows.map((r) => ({ targetUserId, targetKeyId: r.target_key_id, signerUserId: r.signer_user_id, signerKeyId: r.signer_key_id, signature: r.signature }));
  }

  // ---- device-list stream ----

  /** Records that the users' device lists changed; returns the new stream position. */
  async recordDeviceListChange(userIds: readonly string[]): Promise<number> {
    return this.db.transaction(async (tx) => {
      let pos = 0;
      for (const u of userIds) {
        const r = await tx.one<{ stream_id: number }>("INSERT INTO device_list_changes (user_id) VALUES (?) RETURNING stream_id", [u]);
        pos = num(r?.stream_id);
      }
      return pos;
    });
  }

  async maxDeviceListStream(): Promise<number> {
    return num((await this.db.one<{ m: number | null }>("SELECT MAX(stream_id) AS m FROM device_list_changes"))?.m);
  }

  async deviceListChanges(after: number, upTo: number): Promise<string[]> {
    const rows = await this.db.all<{ user_id: string }>(
      "SELECT DISTINCT user_id FROM device_list_changes WHERE stream_id > ? AND stream_id <= ?", [after, upTo]);
    return rows.map((r) => r.user_id);
  }

  /** Users joined to a room the user is joined to (the user included). */
  async usersSharingRoom(userId: string): Promise<Set<string>> {
    const rows = await this.db.all<{ user_id: string }>(
      "SELECT DISTINCT c2.state_key AS user_id FROM current_state c1 JOIN current_state c2 ON c1.room_id = c2.room_id" +
      " WHERE c1.type = 'm.room.member' AND c1.state_key = ? AND c1.membership = 'join' AND c2.type = 'm.room.member' AND c2.membership = 'join'", [userId]);
    return new Set([userId, ...rows.map((r) => r.user_id)]);
  }

  /**
   * Memberships in the user's rooms that changed after event position `since`, or that sit in a
   * room whose own membership changed after it: the input of device_lists changed/left.
   */
  async membershipChanges(userId: string, since: number): Promise<{ userId: string; membership: string; stream: number; myMembership: string; myStream: number }[]> {
    const rows = await this.db.all<{ user_id: string; membership: string; stream: number; my_membership: string; my_stream: number }>(
      "SELECT c2.state_key AS user_id, c2.membership AS membership, c2.stream_ordering AS stream, c1.membership AS my_membership, c1.stream_ordering AS my_stream" +
      " FROM current_state c1 JOIN current_state c2 ON c1.room_id = c2.room_id WHERE c1.type = 'm.room.member' AND c1.state_key = ?" +
      " AND c2.type = 'm.room.member' AND c2.state_key <> ? AND (c2.stream_ordering > ? OR c1.stream_ordering > ?)", [userId, userId, since, since]);
    return rows.map((r) => ({ userId: r.user_id, membership: r.membership, stream: num(r.stream), myMembership: r.my_membership, myStream: num(r.my_stream) }));
  }

  // ---- to-device ----

  /**
   * Stores local to-device messages once per (sender device, event type, txn id): the event type is
   * the variable part of the request path, which scopes a txn id. False when this transaction was
   * already processed. The stream head only grows, even as messages are deleted.
   */
  async addToDevice(sender: { userId: string; deviceId: string; eventType: string; txnId: string }, messages: readonly NewToDevice[], now: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.run("DELETE FROM to_device_txns WHERE user_id = ? AND device_id = ? AND ts < ?", [sender.userId, sender.deviceId, now - TXN_TTL_MS]);
      const fresh = await tx.run("INSERT INTO to_device_txns (user_id, device_id, event_type, txn_id, ts) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [sender.userId, sender.deviceId, sender.eventType, sender.txnId, now]);
      if (fresh.changes === 0) return false;
      let last = 0;
      for (const m of messages) {
        const r = await tx.one<{ stream_id: number }>(
          "INSERT INTO to_device_messages (user_id, device_id, sender, type, content) VALUES (?, ?, ?, ?, ?) RETURNING stream_id",
          [m.userId, m.deviceId, sender.userId, m.type, JSON.stringify(m.content)]);
        last = num(r?.stream_id);
      }
      if (last > 0) await setHead(tx, TO_DEVICE_HEAD, last);
      return true;
    });
  }

  async toDeviceHead(): Promise<number> {
    return num((await this.db.one<{ pos: number }>("SELECT pos FROM e2e_stream_heads WHERE stream = ?", [TO_DEVICE_HEAD]))?.pos);
  }

  async toDeviceFor(userId: string, deviceId: string, after: number, limit: number): Promise<ToDeviceRow[]> {
    const rows = await this.db.all<{ stream_id: number; sender: string; type: string; content: string }>(
      "SELECT stream_id, sender, type, content FROM to_device_messages WHERE user_id = ? AND device_id = ? AND stream_id > ? ORDER BY stream_id LIMIT ?",
      [userId, deviceId, after, limit]);
    return rows.map((r) => ({ stream: num(r.stream_id), sender: r.sender, type: r.type, content: JSON.parse(r.content) as unknown }));
  }

  /** The client acknowledged everything up to `upTo` by syncing from a token that includes it. */
  async deleteToDevice(userId: string, deviceId: string, upTo: number): Promise<void> {
    await this.db.run("DELETE FROM to_device_messages WHERE user_id = ? AND device_id = ? AND stream_id <= ?", [userId, deviceId, upTo]);
  }

  // ---- federation outbox of to-device messages ----

  /** Queues an m.direct_to_device EDU for the federation sender (which deletes it once delivered). */
  async queueRemoteToDevice(destination: string, edu: KeyJson, now: number): Promise<void> {
    await this.db.run("INSERT INTO federation_to_device_outbox (destination, edu_json, created_ts) VALUES (?, ?, ?)", [destination, JSON.stringify(edu), now]);
  }

  async pendingRemoteToDevice(destination: string, limit: number): Promise<{ id: number; edu: KeyJson }[]> {
    const rows = await this.db.all<{ id: number; edu_json: string }>(
      "SELECT id, edu_json FROM federation_to_device_outbox WHERE destination = ? ORDER BY id LIMIT ?", [destination, limit]);
    return rows.map((r) => ({ id: num(r.id), edu: parse(r.edu_json) }));
  }

  async remoteToDeviceDestinations(): Promise<string[]> {
    return (await this.db.all<{ destination: string }>("SELECT DISTINCT destination FROM federation_to_device_outbox")).map((r) => r.destination);
  }

  async deleteRemoteToDevice(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.run(`DELETE FROM federation_to_device_outbox WHERE id IN (${marks(ids.length)})`, [...ids]);
  }
}

async function setHead(tx: SqlExecutor, stream: string, pos: number): Promise<void> {
  await tx.run(
    "INSERT INTO e2e_stream_heads (stream, pos) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET pos = CASE WHEN excluded.pos > e2e_stream_heads.pos THEN excluded.pos ELSE e2e_stream_heads.pos END",
    [stream, pos]);
}

async function bumpKeysHead(tx: SqlExecutor): Promise<void> {
  await tx.run("INSERT INTO e2e_stream_heads (stream, pos) VALUES (?, 1) ON CONFLICT (stream) DO UPDATE SET pos = e2e_stream_heads.pos + 1", [KEYS_HEAD]);
}
