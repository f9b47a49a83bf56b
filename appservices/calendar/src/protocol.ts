// The one place this package reaches into @entente/protocol. A relative path, because the root
// tsconfig rewrites only relative `.ts` imports (TS2877 on package specifiers).
export * from "../../protocol/src/calendar/index.ts";
export { fail, isObject, ok, type JsonObject, type Parsed } from "../../protocol/src/parse.ts";
export { nextClock, type SkippedEvent } from "../../protocol/src/room-events.ts";
export { parseRoomPowerLevels, userLevel, type RoomCreateEvent, type RoomPowerLevels } from "../../protocol/src/power-levels.ts";
export { ROOM_MESSAGE, ROOM_REDACTION } from "../../protocol/src/event-types.ts";
