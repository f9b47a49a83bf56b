// Who the room's admins are (power level 100, or a v12 creator), for notices meant for them and
// for commands only they may run (the ICS feed). Pure.
import { userLevel, type RoomPowerLevels } from "../protocol.ts";

export const ADMIN_LEVEL = 100;

export function isRoomAdmin(levels: RoomPowerLevels, userId: string): boolean {
  return userLevel(levels, userId) >= ADMIN_LEVEL;
}

/** Admins named in the power levels and the creators; the bot itself left out. */
export function roomAdmins(levels: RoomPowerLevels, botUserId: string): string[] {
  const out = new Set<string>(levels.creators ?? []);
  for (const [user, level] of levels.users) if (level >= ADMIN_LEVEL) out.add(user);
  out.delete(botUserId);
  return [...out].sort();
}
