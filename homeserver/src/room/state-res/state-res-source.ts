// What state resolution reads from storage, and the small event helpers its steps share.
// Spec: https://spec.matrix.org/v1.16/rooms/v2/#state-resolution

import { cachingSource, loadEvent } from "../auth-chain.ts";
import { stateKeyOf } from "../pdu.ts";
import type { EventSource, RoomEvent, StateKey } from "../pdu.ts";
import type { RoomVersion } from "../room-versions.ts";

/**
 * The EventSource port, optionally able to say whether an event was rejected. Iterative auth checks
 * must not use rejected auth events (https://spec.matrix.org/v1.16/rooms/v2/#rejected-events);
 * without `isRejected` every stored event counts as accepted.
 */
export interface StateResSource extends EventSource {
  isRejected?(eventId: string): boolean | Promise<boolean>;
}

/** One resolution's view of the store: every event is fetched once and read many times. */
export interface EventLoader {
  readonly version: RoomVersion;
  load(eventId: string): Promise<RoomEvent>;
  isRejected(eventId: string): Promise<boolean>;
  /** The port to hand to authChain (cached, so repeated walks do not reload). */
  readonly source: EventSource;
}

export function eventLoader(source: StateResSource, version: RoomVersion): EventLoader {
  const cached = cachingSource(source);
  return {
    version,
    source: cached,
    load: (eventId) => loadEvent(cached, eventId),
    isRejected: async (eventId) => (await source.isRejected?.(eventId)) ?? false,
  };
}

/** The state map key of a state event; undefined for a message event. */
export function keyOfEvent(event: RoomEvent): StateKey | undefined {
  const { type, state_key: stateKey } = event.pdu;
  return typeof stateKey === "string" ? stateKeyOf(type, stateKey) : undefined;
}

/**
 * v12 (MSC4291): the create event is never listed in auth_events; its id is the room id with the
 * "$" sigil. Undefined before v12, and for the create event itself (it has no room_id).
 * https://spec.matrix.org/v1.16/rooms/v12/#event-format
 */
export function createEventIdFromRoomId(event: RoomEvent, version: RoomVersion): string | undefined {
  const roomId = event.pdu.room_id;
  if (!version.roomIdFromCreate || roomId === undefined) return undefined;
  return `$${roomId.slice(1)}`;
}

/** The first auth event of `event` at (type, ""), e.g. its m.room.power_levels event. */
export async function authEventOfType(
  event: RoomEvent,
  type: string,
  loader: EventLoader,
): Promise<RoomEvent | undefined> {
  for (const authId of event.pdu.auth_events) {
    const authEvent = await loader.load(authId);
    if (authEvent.pdu.type === type && authEvent.pdu.state_key === "") return authEvent;
  }
  return undefined;
}

/** Spec comparison tail shared by both orderings: origin_server_ts, then event id. */
export function compareTsThenId(a: RoomEvent, b: RoomEvent): number {
  if (a.pdu.origin_server_ts !== b.pdu.origin_server_ts) {
    return a.pdu.origin_server_ts < b.pdu.origin_server_ts ? -1 : 1;
  }
  if (a.eventId === b.eventId) return 0;
  return a.eventId < b.eventId ? -1 : 1;
}
