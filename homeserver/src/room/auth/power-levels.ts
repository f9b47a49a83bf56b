// Typed view over m.room.power_levels content, with the spec's defaults, and the power level of a user.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#mroompower_levels
//       https://spec.matrix.org/v1.16/rooms/v9/#mroompower_levels-events-accept-values-as-strings (v6–v9)
//       https://spec.matrix.org/v1.16/rooms/v12/#authorisation-rules (room creators, infinite power)

import { parseUserId } from "../../spec/ids.ts";
import type { JsonObject, JsonValue, RoomEvent } from "../pdu.ts";
import type { RoomVersion } from "../room-versions.ts";

export interface PowerLevels {
  readonly usersDefault: number;
  readonly eventsDefault: number;
  readonly stateDefault: number;
  readonly ban: number;
  readonly kick: number;
  readonly redact: number;
  readonly invite: number;
  readonly events: ReadonlyMap<string, number>;
  readonly users: ReadonlyMap<string, number>;
  /** Always holds "room" (default 50). */
  readonly notifications: ReadonlyMap<string, number>;
}

/** The integer-valued top-level properties, in the order the auth rules list them. */
export const LEVEL_KEYS = ["users_default", "events_default", "state_default", "ban", "redact", "kick", "invite"] as const;
export type LevelKey = (typeof LEVEL_KEYS)[number];

// Before v10 a level may be a string holding an integer: optional whitespace, one sign, digits.
const STRINGY_INTEGER = /^\s*[+-]?\d+\s*$/;

/**
 * A power level value as a number, or undefined when it is not a valid level for this room version.
 * v10+ (integerPowerLevels): JSON integers only. v6–v9: integers or strings holding an integer.
 */
export function parseLevel(value: JsonValue | undefined, version: RoomVersion): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) ? value : undefined;
  if (typeof value === "string" && !version.integerPowerLevels && STRINGY_INTEGER.test(value)) {
    const n = Number.parseInt(value.trim(), 10);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Entries of a `{ key: level }` object whose values are valid levels (others are ignored). */
function levelMap(value: JsonValue | undefined, version: RoomVersion): Map<string, number> {
  const out = new Map<string, number>();
  if (!isJsonObject(value)) return out;
  for (const [key, raw] of Object.entries(value)) {
    const level = parseLevel(raw, version);
    if (level !== undefined) out.set(key, level);
  }
  return out;
}

/**
 * Parse power levels content; `undefined` means the room has no m.room.power_levels event.
 * Invalid values fall back to their default (an event carrying them is rejected by the auth rules
 * from v10 on; before v10 the spec only validates `users`).
 * Note: state_default is 50 even without a power levels event: the "0 when there is no event"
 * wording was removed from the spec as outdated (matrix-spec#1479, MSC1304).
 */
export function parsePowerLevels(content: JsonObject | undefined, version: RoomVersion): PowerLevels {
  const c = content ?? {};
  const level = (key: LevelKey, fallback: number): number => parseLevel(c[key], version) ?? fallback;
  const notifications = levelMap(c["notifications"], version);
  if (!notifications.has("room")) notifications.set("room", 50);
  return {
    usersDefault: level("users_default", 0),
    eventsDefault: level("events_default", 0),
    stateDefault: level("state_default", 50),
    ban: level("ban", 50),
    kick: level("kick", 50),
    redact: level("redact", 50),
    invite: level("invite", 0),
    events: levelMap(c["events"], version),
    users: levelMap(c["users"], version),
    notifications,
  };
}

/** The *required power level* to send an event of this type (state or not). */
export function requiredPowerLevel(levels: PowerLevels, type: string, isState: boolean): number {
  return levels.events.get(type) ?? (isState ? levels.stateDefault : levels.eventsDefault);
}

/** The room's creator: `content.creator` before v11, the create event's sender from v11. */
export function roomCreator(createEvent: RoomEvent, version: RoomVersion): string | undefined {
  if (version.implicitCreator) return createEvent.pdu.sender;
  const creator = createEvent.pdu.content["creator"];
  return typeof creator === "string" ? creator : undefined;
}

/**
 * v12+ (privilegedCreators): the create event's sender plus `content.additional_creators`.
 * Before v12 the single creator (never given infinite power).
 */
export function roomCreators(createEvent: RoomEvent, version: RoomVersion): ReadonlySet<string> {
  const creators = new Set<string>();
  const creator = roomCreator(createEvent, version);
  if (creator !== undefined) creators.add(creator);
  const additional = createEvent.pdu.content["additional_creators"];
  if (version.privilegedCreators && Array.isArray(additional)) {
    for (const id of additional) if (typeof id === "string") creators.add(id);
  }
  return creators;
}

/**
 * The power level of `userId`. v12+: room creators have infinite power. Otherwise the `users` entry,
 * else `users_default`; with no power levels event the creator has 100 and everyone else 0.
 */
export function userPowerLevel(
  userId: string,
  plEvent: RoomEvent | undefined,
  createEvent: RoomEvent | undefined,
  version: RoomVersion,
): number {
  if (version.privilegedCreators && createEvent !== undefined && roomCreators(createEvent, version).has(userId)) {
    return Infinity;
  }
  if (plEvent !== undefined) {
    const levels = parsePowerLevels(plEvent.pdu.content, version);
    return levels.users.get(userId) ?? levels.usersDefault;
  }
  if (createEvent !== undefined && roomCreator(createEvent, version) === userId) return 100;
  return 0;
}

/**
 * User ID validation as applied to `sender`: historical localparts are accepted, the domain must
 * be a server name. https://spec.matrix.org/v1.16/appendices/#historical-user-ids
 */
export function isValidUserId(value: string): boolean {
  return parseUserId(value) !== undefined;
}

/** The server name of a user ID (everything after the first ":"), or undefined. */
export function domainOf(id: string): string | undefined {
  const colon = id.indexOf(":");
  return colon < 0 ? undefined : id.slice(colon + 1);
}
