// The one place this widget reaches into @entente/protocol (relative paths: the tsconfigs rewrite
// only relative `.ts` imports, as in appservices/calendar/src/protocol.ts).
export * from "../../../appservices/protocol/src/calendar/index.ts";
export { nextClock } from "../../../appservices/protocol/src/room-events.ts";
export { parseRoomPowerLevels, userLevel, type RoomPowerLevels } from "../../../appservices/protocol/src/power-levels.ts";
export { ROOM_MESSAGE } from "../../../appservices/protocol/src/event-types.ts";
export { isObject, type JsonObject } from "../../../appservices/protocol/src/parse.ts";
