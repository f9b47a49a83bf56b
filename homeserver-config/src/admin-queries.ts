// Read-only queries of `entente room list` and `entente federation status`, in the storage layer's
// SQL (both dialects). The federation queue belongs to the federation sender; we only read it.
import type { Database } from "../../homeserver/src/storage/sql.ts";
import { num, str } from "../../homeserver/src/storage/sql.ts";
import { tableExists } from "./council-database.ts";
import { FederationStore, type DestinationStatus } from "../../homeserver/src/storage/federation-store.ts";

export interface RoomSummary {
  roomId: string;
  version: string;
  name: string | undefined;
  alias: string | undefined;
  joined: number;
  isPublic: boolean;
  createdTs: number;
}

/** The `content[key]` of a current state event, when it is a string. */
async function stateString(db: Database, roomId: string, type: string, key: string): Promise<string | undefined> {
  const row = await db.one<{ json: string }>(
    "SELECT e.json FROM current_state cs JOIN events e ON e.event_id = cs.event_id WHERE cs.room_id = ? AND cs.type = ? AND cs.state_key = ''",
    [roomId, type]);
  if (row === undefined) return undefined;
  const content = (JSON.parse(str(row.json)) as { content?: Record<string, unknown> }).content;
  const value = content?.[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

export async function listRooms(db: Database): Promise<RoomSummary[]> {
  const rows = await db.all(
    `SELECT r.room_id, r.room_version, r.is_public, r.created_ts,
       (SELECT COUNT(*) FROM current_state cs WHERE cs.room_id = r.room_id AND cs.type = 'm.room.member' AND cs.membership = 'join') AS joined
     FROM rooms r ORDER BY r.created_ts, r.room_id`);
  const out: RoomSummary[] = [];
  for (const r of rows) {
    const roomId = str(r["room_id"]);
    out.push({
      roomId, version: str(r["room_version"]), joined: num(r["joined"]), isPublic: num(r["is_public"]) === 1, createdTs: num(r["created_ts"]),
      name: await stateString(db, roomId, "m.room.name", "name"),
      alias: await stateString(db, roomId, "m.room.canonical_alias", "alias"),
    });
  }
  return out;
}

export type { DestinationStatus };

/**
 * Per destination: queued PDUs/EDUs, consecutive failures, back-off, last success. Undefined when
 * the database has no federation queue yet (a server older than the federation sender).
 */
export async function federationQueueStatus(db: Database): Promise<DestinationStatus[] | undefined> {
  if (!(await tableExists(db, "federation_destinations")) || !(await tableExists(db, "federation_outbox"))) return undefined;
  return new FederationStore({ db }).status();
}
