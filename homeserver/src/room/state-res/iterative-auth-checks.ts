// Iterative auth checks: replay sorted state events on a state, keeping those the auth rules allow.
// Spec: https://spec.matrix.org/v1.16/rooms/v2/#definitions ("Iterative auth checks")

import { authEventTypes } from "../auth/auth-event-types.ts";
import { checkAuth } from "../auth/check-auth.ts";
import { stateKeyOf } from "../pdu.ts";
import type { RoomEvent, StateKey } from "../pdu.ts";
import { createEventIdFromRoomId, keyOfEvent } from "./state-res-source.ts";
import type { EventLoader } from "./state-res-source.ts";

/**
 * Apply each event of `eventIds` (in order) to a copy of `initial` when it passes the authorisation
 * rules against its auth state; events that fail are ignored. Returns the new state.
 */
export async function iterativeAuthChecks(
  initial: ReadonlyMap<StateKey, string>,
  eventIds: readonly string[],
  loader: EventLoader,
): Promise<Map<StateKey, string>> {
  const state = new Map(initial);
  for (const id of eventIds) {
    const event = await loader.load(id);
    const key = keyOfEvent(event);
    if (key === undefined) continue;
    const authState = await authStateFor(event, state, loader);
    if (checkAuth(event, authState, loader.version).allowed) state.set(key, id);
  }
  return state;
}

/**
 * The state an event is checked against: its own auth events (unless rejected), overlaid by the
 * partially resolved state for every key the auth events selection would pick, so a key "not
 * present in the state" falls back to the event's auth event. v12: plus the create event, which is
 * named by the room id instead of being listed in auth_events (MSC4291).
 */
export async function authStateFor(
  event: RoomEvent,
  state: ReadonlyMap<StateKey, string>,
  loader: EventLoader,
): Promise<Map<StateKey, RoomEvent>> {
  const authState = new Map<StateKey, RoomEvent>();
  for (const authId of event.pdu.auth_events) {
    const authEvent = await loader.load(authId);
    const key = keyOfEvent(authEvent);
    if (key !== undefined && !(await loader.isRejected(authId))) authState.set(key, authEvent);
  }
  for (const key of authEventTypes(event.pdu, loader.version)) {
    const current = state.get(key);
    if (current !== undefined) authState.set(key, await loader.load(current));
  }
  const createId = createEventIdFromRoomId(event, loader.version);
  if (createId !== undefined && !(await loader.isRejected(createId))) {
    authState.set(stateKeyOf("m.room.create", ""), await loader.load(createId));
  }
  return authState;
}
