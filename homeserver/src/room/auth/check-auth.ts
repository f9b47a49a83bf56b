// The authorisation rules of room versions 6–12, as pure functions; a rejection is a value.
// Spec: https://spec.matrix.org/v1.16/rooms/v11/#authorisation-rules (v6–v10 pages for older versions)
//       https://spec.matrix.org/v1.16/rooms/v12/#authorisation-rules
// Steps are numbered as in each version's list. v12 inserts rule 2 (room id = create event id), so
// its rules 3–11 are the v11 rules 2–10; `top(n)` takes a v11 number and returns the version's.
// Not checked here: signatures and hashes, whether auth events were themselves rejected (rule 2.3 /
// 3.3) and, for v12 create events, that the room id is the event's reference hash.

import { stateKeyOf } from "../pdu.ts";
import type { Pdu, RoomEvent, StateMap } from "../pdu.ts";
import { getRoomVersion } from "../room-versions.ts";
import type { RoomVersion } from "../room-versions.ts";
import { ALLOW, membershipOf, powerOf, reject } from "./auth-context.ts";
import type { AuthContext, AuthOptions } from "./auth-context.ts";
import { authEventTypes, CREATE, MEMBER, POWER_LEVELS, THIRD_PARTY_INVITE } from "./auth-event-types.ts";
import { checkMember } from "./check-member.ts";
import { checkPowerLevels } from "./check-power-levels.ts";
import { domainOf, isValidUserId, parsePowerLevels, requiredPowerLevel } from "./power-levels.ts";

export type AuthVerdict = { allowed: true } | { allowed: false; step: string; reason: string };
export type { AuthOptions } from "./auth-context.ts";

/**
 * Is `event` allowed given `authState`: (type, state_key) → event for the state the rules consult
 * (the events of its auth_events, or the state before it). For v12 it must also hold the
 * m.room.create event, which auth_events never lists.
 */
export function checkAuth(
  event: RoomEvent,
  authState: StateMap<RoomEvent>,
  version: RoomVersion,
  opts: AuthOptions = {},
): AuthVerdict {
  const { pdu } = event;
  if (pdu.type === CREATE) return checkCreate(pdu, version);
  const top = (n: number): string => String(version.roomIdFromCreate ? n + 1 : n);
  const create = authState.get(stateKeyOf(CREATE, ""));
  if (version.roomIdFromCreate) {
    if (create === undefined || pdu.room_id !== `!${create.eventId.slice(1)}`) {
      return reject("2", "room_id is not the id of the room's m.room.create event");
    }
  } else if (create === undefined) {
    return reject("2.4", "no m.room.create event among the auth events");
  }
  if (create.pdu.content["m.federate"] === false && domainOf(pdu.sender) !== domainOf(create.pdu.sender)) {
    return reject(top(3), "room is not federated and the sender is from another server");
  }
  const powerLevelsEvent = authState.get(stateKeyOf(POWER_LEVELS, ""));
  const levels = parsePowerLevels(powerLevelsEvent?.pdu.content, version);
  const ctx: AuthContext = { pdu, state: authState, version, create, powerLevelsEvent, levels, opts, top };
  if (pdu.type === MEMBER) return checkMember(ctx);
  return checkSenderEvent(ctx);
}

/** Rule 1: m.room.create. */
function checkCreate(pdu: Pdu, version: RoomVersion): AuthVerdict {
  if (pdu.prev_events.length > 0) return reject("1.1", "m.room.create has prev_events");
  if (version.roomIdFromCreate) {
    if (Object.hasOwn(pdu, "room_id")) return reject("1.2", "m.room.create has a room_id");
  } else if (pdu.room_id === undefined || domainOf(pdu.room_id) !== domainOf(pdu.sender)) {
    return reject("1.2", "room_id domain does not match the sender's");
  }
  const roomVersion = pdu.content["room_version"];
  if (roomVersion !== undefined && (typeof roomVersion !== "string" || getRoomVersion(roomVersion) === undefined)) {
    return reject("1.3", `unrecognised room_version ${JSON.stringify(roomVersion)}`);
  }
  if (!version.implicitCreator && !Object.hasOwn(pdu.content, "creator")) {
    return reject("1.4", "m.room.create content has no creator");
  }
  if (version.privilegedCreators && Object.hasOwn(pdu.content, "additional_creators")) {
    const extra = pdu.content["additional_creators"];
    if (!Array.isArray(extra) || !extra.every((id) => typeof id === "string" && isValidUserId(id))) {
      return reject("1.4", "additional_creators is not an array of valid user IDs");
    }
  }
  return ALLOW;
}

/** Rules 5–10 (v12: 6–11): every event other than create and member. */
function checkSenderEvent(ctx: AuthContext): AuthVerdict {
  const { pdu, top } = ctx;
  if (membershipOf(ctx, pdu.sender) !== "join") return reject(top(5), "sender is not joined to the room");
  const senderPower = powerOf(ctx, pdu.sender);
  if (pdu.type === THIRD_PARTY_INVITE) {
    return senderPower >= ctx.levels.invite ? ALLOW : reject(`${top(6)}.1`, "sender's power level is below the invite level");
  }
  const required = requiredPowerLevel(ctx.levels, pdu.type, pdu.state_key !== undefined);
  if (required > senderPower) {
    return reject(top(7), `${pdu.type} requires power level ${required}, sender has ${senderPower}`);
  }
  if (pdu.state_key?.startsWith("@") && pdu.state_key !== pdu.sender) {
    return reject(top(8), "state_key starting with @ is not the sender");
  }
  if (pdu.type === POWER_LEVELS) return checkPowerLevels(ctx);
  return ALLOW;
}

/**
 * Rule 2 (v12: 3) on the auth events themselves: no two for one (type, state_key), only the pairs
 * the auth events selection algorithm picks, the create event among them before v12, all from the
 * same room. `authEvents` are the events `event.pdu.auth_events` names. Rule 2.3 (auth events that
 * were themselves rejected) is the caller's: it knows which events were rejected.
 * https://spec.matrix.org/v1.16/server-server-api/#auth-events-selection
 */
export function checkAuthEventsShape(event: RoomEvent, authEvents: readonly RoomEvent[], version: RoomVersion): AuthVerdict {
  const { pdu } = event;
  // Rule 1 settles create events before rule 2 is reached.
  if (pdu.type === CREATE) return ALLOW;
  const r = version.roomIdFromCreate ? "3" : "2";
  if (new Set(pdu.auth_events).size !== pdu.auth_events.length) return reject(`${r}.1`, "auth_events lists an event twice");
  const keys = new Set<string>();
  for (const authEvent of authEvents) {
    const stateKey = authEvent.pdu.state_key;
    if (stateKey === undefined) return reject(`${r}.2`, `auth event ${authEvent.eventId} is not a state event`);
    const key = stateKeyOf(authEvent.pdu.type, stateKey);
    if (keys.has(key)) return reject(`${r}.1`, `two auth events for (${authEvent.pdu.type}, ${stateKey})`);
    keys.add(key);
  }
  const selected = new Set(authEventTypes(pdu, version));
  for (const authEvent of authEvents) {
    const { type, state_key: stateKey = "" } = authEvent.pdu;
    if (!selected.has(stateKeyOf(type, stateKey))) {
      return reject(`${r}.2`, `auth event (${type}, ${stateKey}) is not one the selection algorithm picks`);
    }
  }
  if (!version.roomIdFromCreate && !keys.has(stateKeyOf(CREATE, ""))) {
    return reject("2.4", "no m.room.create event among the auth events");
  }
  const foreign = authEvents.find((e) => e.pdu.room_id !== pdu.room_id);
  if (foreign !== undefined) return reject(`${r}.5`, `auth event ${foreign.eventId} belongs to another room`);
  return ALLOW;
}
