// Who may manage a room's directory entries: server admins, and room members allowed to send
// m.room.canonical_alias (the state event that publishes aliases), by the room's power levels.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#permissions
import { parsePowerLevels, requiredPowerLevel, userPowerLevel } from "../../../room/auth/power-levels.ts";
import type { RoomEvent } from "../../../room/pdu.ts";
import type { ServerContext } from "../../context.ts";
import { versionOrThrow } from "../../rooms/local-events.ts";

async function currentStateEvent(s: ServerContext, roomId: string, type: string): Promise<RoomEvent | undefined> {
  const id = await s.stores.rooms.currentStateId(roomId, type, "");
  return id === undefined ? undefined : (await s.stores.events.getEvent(id))?.event;
}

/** Whether `userId` (joined to the room) has the level to send the state event `eventType`. */
export async function canSendState(s: ServerContext, roomId: string, userId: string, eventType: string): Promise<boolean> {
  const room = await s.stores.rooms.getRoom(roomId);
  if (!room || (await s.stores.rooms.membership(roomId, userId)) !== "join") return false;
  const version = versionOrThrow(room.version);
  const pl = await currentStateEvent(s, roomId, "m.room.power_levels");
  const create = await currentStateEvent(s, roomId, "m.room.create");
  const required = requiredPowerLevel(parsePowerLevels(pl?.pdu.content, version), eventType, true);
  return userPowerLevel(userId, pl, create, version) >= required;
}

export async function isServerAdmin(s: ServerContext, userId: string): Promise<boolean> {
  return (await s.stores.users.getUser(userId))?.isAdmin === true;
}
