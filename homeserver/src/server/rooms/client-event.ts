// Formats stored PDUs as client events (ClientEvent format), applying redactions for clients.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#room-event-format
import type { JsonObject, RoomEvent } from "../../room/pdu.ts";
import type { RoomVersion } from "../../room/room-versions.ts";
import { redactPdu } from "../../room/redaction.ts";
import type { EventStore, StoredEventRow } from "../../storage/event-store.ts";
import type { RoomStore } from "../../storage/room-store.ts";
import { addPrevState, type PrevState } from "./prev-content.ts";

export interface ClientEventOptions {
  now: number;
  version: RoomVersion;
  /** Include room_id (false inside /sync rooms). */
  withRoomId: boolean;
  /** The requesting user's transaction id for this event, when the same device sent it. */
  transactionId?: string;
  /** The state this state event replaced (prev-content.ts): unsigned.prev_content and friends. */
  prev?: PrevState | undefined;
}

export function clientEvent(row: StoredEventRow, opts: ClientEventOptions): JsonObject {
  const pdu = row.redactedBy ? redactPdu(row.event.pdu, opts.version) : row.event.pdu;
  const unsigned: JsonObject = { age: Math.max(0, opts.now - pdu.origin_server_ts) };
  if (row.redactedBy) unsigned["redacted_because"] = { event_id: row.redactedBy, type: "m.room.redaction" };
  if (opts.transactionId) unsigned["transaction_id"] = opts.transactionId;
  if (!row.redactedBy) addPrevState(unsigned, opts.prev);
  const out: JsonObject = {
    event_id: row.event.eventId, type: pdu.type, sender: pdu.sender, content: pdu.content,
    origin_server_ts: pdu.origin_server_ts, unsigned,
  };
  if (opts.withRoomId) out["room_id"] = pdu.room_id ?? "!" + row.event.eventId.slice(1);
  if (pdu.state_key !== undefined) out["state_key"] = pdu.state_key;
  if (pdu.redacts !== undefined) out["redacts"] = pdu.redacts;
  else if (pdu.type === "m.room.redaction" && typeof pdu.content["redacts"] === "string") out["redacts"] = pdu.content["redacts"];
  return out;
}

/** Stripped state for invites and knocks. */
export function strippedEvent(e: RoomEvent): JsonObject {
  const out: JsonObject = { type: e.pdu.type, sender: e.pdu.sender, content: e.pdu.content };
  if (e.pdu.state_key !== undefined) out["state_key"] = e.pdu.state_key;
  return out;
}

/** The state events invitees and knockers see of a room (spec: stripped state). */
export const STRIPPED_STATE_TYPES = ["m.room.create", "m.room.join_rules", "m.room.name", "m.room.avatar", "m.room.canonical_alias", "m.room.encryption", "m.room.topic"];

/** Stripped current state of a room, plus the member events of `alsoMembers`. */
export async function currentStrippedState(
  stores: { rooms: Pick<RoomStore, "currentStateId">; events: Pick<EventStore, "getEvents"> }, roomId: string, alsoMembers: readonly string[] = [],
): Promise<JsonObject[]> {
  const ids: string[] = [];
  for (const [type, key] of [...STRIPPED_STATE_TYPES.map((t) => [t, ""]), ...alsoMembers.map((u) => ["m.room.member", u])] as [string, string][]) {
    const id = await stores.rooms.currentStateId(roomId, type, key);
    if (id) ids.push(id);
  }
  const rows = await stores.events.getEvents(ids);
  return [...rows.values()].map((r) => strippedEvent(r.event));
}
