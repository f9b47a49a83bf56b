// The persistent data unit (PDU) of room versions 3+ (event ids are hashes, not carried in the PDU).
// Spec: https://spec.matrix.org/v1.16/rooms/v11/#event-format

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface Pdu {
  auth_events: string[];
  content: JsonObject;
  depth: number;
  hashes: { sha256: string };
  origin_server_ts: number;
  prev_events: string[];
  /** Absent only on the m.room.create event of room version 12 (the room id is derived from it). */
  room_id?: string;
  sender: string;
  signatures: Record<string, Record<string, string>>;
  state_key?: string;
  type: string;
  unsigned?: JsonObject;
  /** Top-level `redacts` for versions < 11; from v11 it lives in content. */
  redacts?: string;
  /** Legacy keys still seen on the wire from old servers; kept only for redaction/hash correctness. */
  [extra: string]: JsonValue | undefined;
}

/** A PDU together with its (computed) event id. Never mutate `pdu` once built. */
export interface RoomEvent {
  readonly eventId: string;
  readonly pdu: Pdu;
}

/** Key of a piece of state: `${type}\u0000${stateKey}`. */
export type StateKey = string;
export const stateKeyOf = (type: string, stateKey: string): StateKey => `${type}\u0000${stateKey}`;
export const splitStateKey = (key: StateKey): [type: string, stateKey: string] => {
  const i = key.indexOf("\u0000");
  return [key.slice(0, i), key.slice(i + 1)];
};

/** A state map: (type, state_key) → value (an event id or an event). */
export type StateMap<T> = ReadonlyMap<StateKey, T>;

/** The one storage port the pure event core needs: load an event by id (undefined when unknown). */
export interface EventSource {
  getEvent(eventId: string): Promise<RoomEvent | undefined>;
}
