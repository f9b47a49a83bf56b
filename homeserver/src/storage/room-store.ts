// Rooms and their current state: memberships, aliases, directory visibility.
import type { Database, SqlExecutor } from "./sql.ts";
import { num } from "./sql.ts";

export interface RoomRow {
  roomId: string;
  version: string;
  creator: string;
  isPublic: boolean;
  currentStateGroup: number | undefined;
}

export class RoomStore {
  private readonly db: Database;
  constructor(deps: { db: Database }) {
    this.db = deps.db;
  }

  async insertRoom(tx: SqlExecutor, r: { roomId: string; version: string; creator: string; ts: number }): Promise<void> {
    await tx.run("INSERT INTO rooms (room_id, room_version, creator, created_ts) VALUES (?, ?, ?, ?)", [r.roomId, r.version, r.creator, r.ts]);
  }

  async getRoom(roomId: string, exec: SqlExecutor = this.db): Promise<RoomRow | undefined> {
    const r = await exec.one<{ room_id: string; room_version: string; creator: string; is_public: number; current_state_group: number | null }>(
      "SELECT room_id, room_version, creator, is_public, current_state_group FROM rooms WHERE room_id = ?", [roomId]);
    if (!r) return undefined;
    return { roomId: r.room_id, version: r.room_version, creator: r.creator, isPublic: num(r.is_public) === 1,
      currentStateGroup: r.current_state_group === null ? undefined : num(r.current_state_group) };
  }

  async setPublic(roomId: string, isPublic: boolean): Promise<void> {
    await this.db.run("UPDATE rooms SET is_public = ? WHERE room_id = ?", [isPublic ? 1 : 0, roomId]);
  }

  async publicRooms(): Promise<string[]> {
    return (await this.db.all<{ room_id: string }>("SELECT room_id FROM rooms WHERE is_public = 1 ORDER BY created_ts")).map((r) => r.room_id);
  }

  /** Current state event id for (type, state_key). */
  async currentStateId(roomId: string, type: string, stateKey: string): Promise<string | undefined> {
    return (await this.db.one<{ event_id: string }>("SELECT event_id FROM current_state WHERE room_id = ? AND type = ? AND state_key = ?", [roomId, type, stateKey]))?.event_id;
  }

  async membership(roomId: string, userId: string): Promise<string | undefined> {
    const r = await this.db.one<{ membership: string }>("SELECT membership FROM current_state WHERE room_id = ? AND type = 'm.room.member' AND state_key = ?", [roomId, userId]);
    return r?.membership;
  }

  /**
   * Rooms where the user currently has a membership, with the stream position of that membership
   * and the room's version (absent when we hold no room row: an invite over federation), read in
   * the same query so a /sync needs no getRoom per room.
   */
  async roomsForUser(userId: string): Promise<{ roomId: string; membership: string; eventId: string; stream: number; version?: string }[]> {
    const rows = await this.db.all<{ room_id: string; membership: string; event_id: string; stream_ordering: number; room_version: string | null }>(
      `SELECT c.room_id, c.membership, c.event_id, c.stream_ordering, r.room_version FROM current_state c LEFT JOIN rooms r ON r.room_id = c.room_id
       WHERE c.type = 'm.room.member' AND c.state_key = ?`, [userId]);
    return rows.map((r) => ({ roomId: r.room_id, membership: r.membership, eventId: r.event_id, stream: num(r.stream_ordering), ...(r.room_version === null ? {} : { version: r.room_version }) }));
  }

  async members(roomId: string, membership?: string): Promise<{ userId: string; membership: string; eventId: string }[]> {
    const rows = await this.db.all<{ state_key: string; membership: string; event_id: string }>(
      "SELECT state_key, membership, event_id FROM current_state WHERE room_id = ? AND type = 'm.room.member'" + (membership ? " AND membership = ?" : ""),
      membership ? [roomId, membership] : [roomId]);
    return rows.map((r) => ({ userId: r.state_key, membership: r.membership, eventId: r.event_id }));
  }

  /**
   * The room's current state group and its members, read in one statement (one snapshot on
   * PostgreSQL): a cache keyed by the group (server/rooms/room-members.ts) never pairs a group
   * with another state's members. `group` is undefined when the room has no member row or no state group.
   */
  async memberSnapshot(roomId: string): Promise<{ group: number | undefined; members: { userId: string; membership: string }[] }> {
    const rows = await this.db.all<{ g: number | null; state_key: string; membership: string | null }>(
      `SELECT (SELECT current_state_group FROM rooms WHERE room_id = ?) AS g, state_key, membership FROM current_state
       WHERE room_id = ? AND type = 'm.room.member'`, [roomId, roomId]);
    const g = rows[0]?.g ?? null;
    const members = rows.map((r) => ({ userId: r.state_key, membership: r.membership ?? "" }));
    return { group: g === null ? undefined : num(g), members };
  }

  async currentState(roomId: string): Promise<{ type: string; stateKey: string; eventId: string }[]> {
    const rows = await this.db.all<{ type: string; state_key: string; event_id: string }>("SELECT type, state_key, event_id FROM current_state WHERE room_id = ?", [roomId]);
    return rows.map((r) => ({ type: r.type, stateKey: r.state_key, eventId: r.event_id }));
  }

  /** Do two users share a joined room? (profile/presence visibility) */
  async shareRoom(a: string, b: string): Promise<boolean> {
    const r = await this.db.one("SELECT 1 AS x FROM current_state c1 JOIN current_state c2 ON c1.room_id = c2.room_id WHERE c1.type = 'm.room.member' AND c2.type = 'm.room.member' AND c1.state_key = ? AND c2.state_key = ? AND c1.membership = 'join' AND c2.membership = 'join' LIMIT 1", [a, b]);
    return r !== undefined;
  }

  async setAlias(alias: string, roomId: string, creator: string): Promise<boolean> {
    const r = await this.db.run("INSERT INTO room_aliases (alias, room_id, creator) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [alias, roomId, creator]);
    return r.changes === 1;
  }
  async getAlias(alias: string): Promise<{ roomId: string; creator: string } | undefined> {
    const r = await this.db.one<{ room_id: string; creator: string }>("SELECT room_id, creator FROM room_aliases WHERE alias = ?", [alias]);
    return r ? { roomId: r.room_id, creator: r.creator } : undefined;
  }
  async deleteAlias(alias: string): Promise<void> {
    await this.db.run("DELETE FROM room_aliases WHERE alias = ?", [alias]);
  }
  /** A room upgrade moves the old room's local aliases to its replacement (spec: room upgrades, step 4). */
  async moveAliases(fromRoomId: string, toRoomId: string): Promise<string[]> {
    const moved = await this.aliasesOf(fromRoomId);
    await this.db.run("UPDATE room_aliases SET room_id = ? WHERE room_id = ?", [toRoomId, fromRoomId]);
    return moved;
  }
  async aliasesOf(roomId: string): Promise<string[]> {
    return (await this.db.all<{ alias: string }>("SELECT alias FROM room_aliases WHERE room_id = ?", [roomId])).map((r) => r.alias);
  }
}
