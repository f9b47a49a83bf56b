// The room's current `m.room.power_levels` as the fold needs it: a user's level.
// https://spec.matrix.org/v1.16/client-server-api/#mroompower_levels
// The fold judges every event against the CURRENT levels (not those at the time of sending), so
// every reader holding the same room state reaches the same result without replaying history.
import { isObject } from "./parse.ts";

export interface RoomPowerLevels {
  users: ReadonlyMap<string, number>;
  usersDefault: number;
  /** level needed to redact someone else's event */
  redact: number;
}

// Room versions before 10 allowed integers as strings; accept both, ignore anything else.
function level(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string" && /^[+-]?\d{1,16}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** Never fails: a missing or broken power-levels event means the spec's defaults. */
export function parseRoomPowerLevels(content: unknown): RoomPowerLevels {
  const c = isObject(content) ? content : {};
  const users = new Map<string, number>();
  if (isObject(c["users"])) {
    for (const [id, v] of Object.entries(c["users"])) {
      const l = level(v);
      if (l !== undefined) users.set(id, l);
    }
  }
  return { users, usersDefault: level(c["users_default"]) ?? 0, redact: level(c["redact"]) ?? 50 };
}

export function userLevel(levels: RoomPowerLevels, userId: string): number {
  return levels.users.get(userId) ?? levels.usersDefault;
}
