// Room versions as data, not subclasses. Each flag names the spec change it stands for.
// Spec: https://spec.matrix.org/v1.16/rooms/  (v12: MSC4289, MSC4291, MSC4297)

export type RedactionRules = "v6" | "v9" | "v11";
export type StateResAlgorithm = "v2" | "v2.1";

export interface RoomVersion {
  readonly id: string;
  /** Which redaction algorithm applies (v6 covers 6–8; v9 keeps join_authorised_via_users_server). */
  readonly redaction: RedactionRules;
  readonly stateRes: StateResAlgorithm;
  /** v7+: `knock` membership and join rule. */
  readonly knocking: boolean;
  /** v8+: `restricted` join rule with `join_authorised_via_users_server`. */
  readonly restrictedJoins: boolean;
  /** v10+: `knock_restricted` join rule. */
  readonly knockRestricted: boolean;
  /** v10+: power level values must be integers (not strings). */
  readonly integerPowerLevels: boolean;
  /** v11+: `creator` dropped from m.room.create, the sender is the creator; `redacts` moves to content. */
  readonly implicitCreator: boolean;
  readonly redactsInContent: boolean;
  /** v12+: room id = "!" + reference hash of the create event; create has no room_id and is never
   *  listed in auth_events (MSC4291). */
  readonly roomIdFromCreate: boolean;
  /** v12+: the create sender and `additional_creators` have infinite power (MSC4289). */
  readonly privilegedCreators: boolean;
}

const base = {
  redaction: "v6",
  stateRes: "v2",
  knocking: false,
  restrictedJoins: false,
  knockRestricted: false,
  integerPowerLevels: false,
  implicitCreator: false,
  redactsInContent: false,
  roomIdFromCreate: false,
  privilegedCreators: false,
} as const satisfies Omit<RoomVersion, "id">;

const v6: RoomVersion = { ...base, id: "6" };
const v7: RoomVersion = { ...v6, id: "7", knocking: true };
const v8: RoomVersion = { ...v7, id: "8", restrictedJoins: true };
const v9: RoomVersion = { ...v8, id: "9", redaction: "v9" };
const v10: RoomVersion = { ...v9, id: "10", knockRestricted: true, integerPowerLevels: true };
const v11: RoomVersion = { ...v10, id: "11", redaction: "v11", implicitCreator: true, redactsInContent: true };
const v12: RoomVersion = { ...v11, id: "12", stateRes: "v2.1", roomIdFromCreate: true, privilegedCreators: true };

export const ROOM_VERSIONS: ReadonlyMap<string, RoomVersion> = new Map(
  [v6, v7, v8, v9, v10, v11, v12].map((v) => [v.id, v]),
);

export const DEFAULT_ROOM_VERSION = "12";

export function getRoomVersion(id: string): RoomVersion | undefined {
  return ROOM_VERSIONS.get(id);
}
