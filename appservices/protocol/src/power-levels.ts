// The room's current `m.room.power_levels` as the fold needs it: a user's level.
// https://spec.matrix.org/v1.16/client-server-api/#mroompower_levels
// The fold judges every event against the CURRENT levels (not those at the time of sending), so
// every reader holding the same room state reaches the same result without replaying history.
// Room version 12 (MSC4289): the creators (the `m.room.create` sender and `additional_creators`)
// have infinite power and are not listed in `users`; pass the create event to see them.
// https://spec.matrix.org/v1.16/rooms/v12/
import { isObject } from "./parse.ts";

export interface RoomPowerLevels {
  users: ReadonlyMap<string, number>;
  usersDefault: number;
  /** level needed to redact someone else's event */
  redact: number;
  /** v12+ room creators: level Infinity whatever `users` says (empty before v12) */
  creators?: ReadonlySet<string>;
}

/** The room's `m.room.create` event as readers have it (sender and content). */
export interface RoomCreateEvent {
  sender: string;
  content: unknown;
}

/** Room versions where creators outrank every power level (and v12's unstable name). */
const CREATORS_PRIVILEGED = new Set(["12", "org.matrix.hydra.11"]);

/** The privileged creators of a room: empty for room versions before 12 or without a create event. */
export function roomCreators(create: RoomCreateEvent | undefined): Set<string> {
  const out = new Set<string>();
  if (create === undefined || !isObject(create.content)) return out;
  const version = create.content["room_version"];
  // A create event without room_version means version 1.
  if (typeof version !== "string" || !CREATORS_PRIVILEGED.has(version)) return out;
  if (typeof create.sender === "string" && create.sender !== "") out.add(create.sender);
  const more = create.content["additional_creators"];
  if (Array.isArray(more)) for (const u of more) if (typeof u === "string") out.add(u);
  return out;
}

// Room versions before 10 allowed integers as strings; accept both, ignore anything else.
function level(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string" && /^[+-]?\d{1,16}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/**
 * Never fails: a missing or broken power-levels event means the spec's defaults. Give the room's
 * create event too, or v12 creators count as ordinary users at `users_default`.
 */
export function parseRoomPowerLevels(content: unknown, create?: RoomCreateEvent): RoomPowerLevels {
  const c = isObject(content) ? content : {};
  const users = new Map<string, number>();
  if (isObject(c["users"])) {
    for (const [id, v] of Object.entries(c["users"])) {
      const l = level(v);
      if (l !== undefined) users.set(id, l);
    }
  }
  const out: RoomPowerLevels = { users, usersDefault: level(c["users_default"]) ?? 0, redact: level(c["redact"]) ?? 50 };
  const creators = roomCreators(create);
  if (creators.size > 0) out.creators = creators;
  return out;
}

/** A user's level; v12 creators have Infinity (above any integer level). */
export function userLevel(levels: RoomPowerLevels, userId: string): number {
  if (levels.creators !== undefined && levels.creators.has(userId)) return Infinity;
  return levels.users.get(userId) ?? levels.usersDefault;
}
