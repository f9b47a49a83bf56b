// Which (type, state_key) pairs an event's auth_events may (and should) reference.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#auth-events-selection

import { stateKeyOf } from "../pdu.ts";
import type { Pdu, StateKey } from "../pdu.ts";
import type { RoomVersion } from "../room-versions.ts";
import { isJsonObject } from "./power-levels.ts";

export const CREATE = "m.room.create";
export const POWER_LEVELS = "m.room.power_levels";
export const MEMBER = "m.room.member";
export const JOIN_RULES = "m.room.join_rules";
export const THIRD_PARTY_INVITE = "m.room.third_party_invite";

/**
 * The state keys selected for `auth_events` of `pdu`, without duplicates. Empty for m.room.create.
 * v12 (roomIdFromCreate): the create event is never selected, the room id stands for it.
 */
export function authEventTypes(pdu: Pdu, version: RoomVersion): StateKey[] {
  if (pdu.type === CREATE) return [];
  const keys = new Set<StateKey>();
  if (!version.roomIdFromCreate) keys.add(stateKeyOf(CREATE, ""));
  keys.add(stateKeyOf(POWER_LEVELS, ""));
  keys.add(stateKeyOf(MEMBER, pdu.sender));
  if (pdu.type === MEMBER && typeof pdu.state_key === "string") {
    for (const key of memberAuthKeys(pdu, pdu.state_key, version)) keys.add(key);
  }
  return [...keys];
}

function memberAuthKeys(pdu: Pdu, target: string, version: RoomVersion): StateKey[] {
  const keys = [stateKeyOf(MEMBER, target)];
  const membership = pdu.content["membership"];
  if (membership === "join" || membership === "invite" || membership === "knock") {
    keys.push(stateKeyOf(JOIN_RULES, ""));
  }
  const tpi = pdu.content["third_party_invite"];
  if (membership === "invite" && isJsonObject(tpi)) {
    const signed = tpi["signed"];
    const token = isJsonObject(signed) ? signed["token"] : undefined;
    if (typeof token === "string") keys.push(stateKeyOf(THIRD_PARTY_INVITE, token));
  }
  const via = pdu.content["join_authorised_via_users_server"];
  if (membership === "join" && version.restrictedJoins && typeof via === "string") {
    keys.push(stateKeyOf(MEMBER, via));
  }
  return keys;
}
