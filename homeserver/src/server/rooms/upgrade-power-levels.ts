// Power levels across a room upgrade: the replacement room's (copied, valid for its version) and the
// old room's, locked down once the tombstone is sent.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#server-behaviour-19 (steps 3 and 6)
//       https://spec.matrix.org/v1.16/rooms/v12/#authorisation-rules (creators may not be in `users`)
import type { JsonObject } from "../../room/pdu.ts";
import type { RoomVersion } from "../../room/room-versions.ts";
import { parsePowerLevels, type LevelKey, type PowerLevels } from "../../room/auth/power-levels.ts";

export interface UpgradedPowerLevelsInput {
  /** Content of the old room's m.room.power_levels event. */
  content: JsonObject;
  oldVersion: RoomVersion;
  newVersion: RoomVersion;
  /** Creators with infinite power in the old room (empty before v12). */
  oldCreators: ReadonlySet<string>;
  /** Creators with infinite power in the new room (empty before v12). */
  newCreators: ReadonlySet<string>;
}

/** The power level of a room creator who is not one any more: the conventional maximum. */
const FORMER_CREATOR_LEVEL = 100;

const FIELD_OF: Record<LevelKey, keyof PowerLevels> = {
  users_default: "usersDefault", events_default: "eventsDefault", state_default: "stateDefault",
  ban: "ban", redact: "redact", kick: "kick", invite: "invite",
};

const toObject = (m: ReadonlyMap<string, number>): JsonObject => Object.fromEntries(m);

/**
 * The old power levels as the new room's: levels parsed as the old version reads them (so string
 * levels of v6–v9 become the integers v10+ requires), creators of the old room who are not creators
 * of the new one keep their power as 100, and the new room's creators are left out of `users`.
 */
export function upgradedPowerLevels(input: UpgradedPowerLevelsInput): JsonObject {
  const { content } = input;
  const levels = parsePowerLevels(content, input.oldVersion);
  const out: JsonObject = { ...content };
  for (const [key, field] of Object.entries(FIELD_OF)) {
    if (key in content) out[key] = levels[field] as number;
  }
  if ("events" in content) out["events"] = toObject(levels.events);
  if ("notifications" in content) out["notifications"] = toObject(levels.notifications);
  const users = new Map(levels.users);
  for (const creator of input.oldCreators) {
    if (!input.newCreators.has(creator)) users.set(creator, Math.max(users.get(creator) ?? 0, FORMER_CREATOR_LEVEL));
  }
  for (const creator of input.newCreators) users.delete(creator);
  out["users"] = toObject(users);
  return out;
}

/**
 * Step 6: "setting events_default and invite to the greater of 50 and users_default + 1" (never
 * lowering a stricter level). Undefined when the old room is already that strict.
 */
export function lockedPowerLevels(content: JsonObject, version: RoomVersion): JsonObject | undefined {
  const levels = parsePowerLevels(content, version);
  const floor = Math.max(50, levels.usersDefault + 1);
  if (levels.eventsDefault >= floor && levels.invite >= floor) return undefined;
  return { ...content, events_default: Math.max(levels.eventsDefault, floor), invite: Math.max(levels.invite, floor) };
}
