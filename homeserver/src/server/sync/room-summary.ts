// The `summary` of a joined room in /sync: m.heroes, m.joined_member_count, m.invited_member_count,
// from which clients name rooms that have no m.room.name / canonical alias (Element does).
// Spec: https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3sync (RoomSummary):
// "these fields ... should only be sent when they change": they can only change with a membership
// event, so the summary is computed when the client starts from nothing (initial sync, a newly
// joined room, full_state) or when m.room.member events are in the timeline or state section.
import type { JsonObject } from "../../room/pdu.ts";
import { memberSummary } from "../../storage/sync-queries.ts";
import type { ServerContext } from "../context.ts";

/** Spec: "This should be the first 5 members of the room". */
const HEROES = 5;

export async function roomSummary(
  s: Pick<ServerContext, "db">, q: { roomId: string; userId: string; fromScratch: boolean; sections: readonly { events: readonly JsonObject[] }[] },
): Promise<JsonObject> {
  const membersChanged = q.sections.some((sec) => sec.events.some((e) => e["type"] === "m.room.member"));
  if (!q.fromScratch && !membersChanged) return {};
  const m = await memberSummary(s.db, q.roomId, q.userId, HEROES);
  return { "m.heroes": m.heroes, "m.joined_member_count": m.joined, "m.invited_member_count": m.invited };
}
