// Whether a redaction may be applied to its target, room versions 3+: the redacting user's server
// is the target sender's server, or the redacting user has the "redact" power level.
// Spec: https://spec.matrix.org/v1.16/rooms/v11/#handling-redactions
import type { RoomEvent } from "./pdu.ts";
import type { RoomVersion } from "./room-versions.ts";
import { parsePowerLevels, userPowerLevel } from "./auth/power-levels.ts";
import { serverNameOf } from "../spec/ids.ts";

export function redactionAllowed(
  redaction: RoomEvent, target: RoomEvent, powerLevels: RoomEvent | undefined, create: RoomEvent | undefined, version: RoomVersion,
): boolean {
  const roomOf = (e: RoomEvent): string => e.pdu.room_id ?? "!" + e.eventId.slice(1);
  if (roomOf(redaction) !== roomOf(target)) return false;
  if (serverNameOf(redaction.pdu.sender) === serverNameOf(target.pdu.sender)) return true;
  return userPowerLevel(redaction.pdu.sender, powerLevels, create, version) >= parsePowerLevels(powerLevels?.pdu.content, version).redact;
}
