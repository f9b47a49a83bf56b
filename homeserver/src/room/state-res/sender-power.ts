// The power level of an event's sender "when looking at their respective auth_events", used by the
// reverse topological power ordering.
// Spec: https://spec.matrix.org/v1.16/rooms/v2/#definitions
//       https://spec.matrix.org/v1.16/rooms/v12/#authorisation-rules (creators have infinite power)

import { userPowerLevel } from "../auth/power-levels.ts";
import type { RoomEvent } from "../pdu.ts";
import { authEventOfType, createEventIdFromRoomId } from "./state-res-source.ts";
import type { EventLoader } from "./state-res-source.ts";

/**
 * The sender's level per the m.room.power_levels event among the event's auth events; without one,
 * the creator has 100 and everyone else 0. v12: creators (create sender and additional_creators)
 * have infinite power; the create event is found through the room id, not auth_events.
 */
export async function senderPowerLevel(event: RoomEvent, loader: EventLoader): Promise<number> {
  const powerLevels = await authEventOfType(event, "m.room.power_levels", loader);
  const create = await createEventFor(event, loader);
  return userPowerLevel(event.pdu.sender, powerLevels, create, loader.version);
}

async function createEventFor(event: RoomEvent, loader: EventLoader): Promise<RoomEvent | undefined> {
  if (event.pdu.type === "m.room.create" && event.pdu.state_key === "") return event;
  const createId = createEventIdFromRoomId(event, loader.version);
  if (createId !== undefined) return loader.load(createId);
  return authEventOfType(event, "m.room.create", loader);
}
