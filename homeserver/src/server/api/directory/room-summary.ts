// The PublishedRoomsChunk of one room, from its current state.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3publicrooms
import type { JsonObject } from "../../../room/pdu.ts";
import type { ServerContext } from "../../context.ts";

export async function roomSummary(s: ServerContext, roomId: string): Promise<JsonObject> {
  const state = await s.stores.rooms.currentState(roomId);
  const wanted = new Map(state.filter((e) => e.stateKey === "" && SUMMARY_TYPES.has(e.type)).map((e) => [e.type, e.eventId]));
  const loaded = await s.stores.events.getEvents([...wanted.values()]);
  const content = (type: string): JsonObject => {
    const row = loaded.get(wanted.get(type) ?? "");
    return row && !row.redactedBy ? row.event.pdu.content : {};
  };
  const joined = state.filter((e) => e.type === "m.room.member").length === 0 ? 0 : (await s.stores.rooms.members(roomId, "join")).length;
  const out: JsonObject = {
    room_id: roomId,
    num_joined_members: joined,
    world_readable: content("m.room.history_visibility")["history_visibility"] === "world_readable",
    guest_can_join: content("m.room.guest_access")["guest_access"] === "can_join",
    join_rule: joinRule(content("m.room.join_rules")["join_rule"]),
  };
  const optional: [string, string, string][] = [
    ["name", "m.room.name", "name"], ["topic", "m.room.topic", "topic"], ["canonical_alias", "m.room.canonical_alias", "alias"],
    ["avatar_url", "m.room.avatar", "url"], ["room_type", "m.room.create", "type"],
  ];
  for (const [key, type, field] of optional) {
    const v = content(type)[field];
    if (typeof v === "string" && v !== "") out[key] = v;
  }
  return out;
}

const joinRule = (v: unknown): string => (typeof v === "string" ? v : "invite");

const SUMMARY_TYPES = new Set([
  "m.room.name", "m.room.topic", "m.room.canonical_alias", "m.room.avatar", "m.room.create",
  "m.room.join_rules", "m.room.history_visibility", "m.room.guest_access",
]);
