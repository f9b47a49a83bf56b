// Test support only: hand-built event DAGs with readable fake ids ("$CREATE", "$PA", …) and an
// in-memory event source that counts loads and can mark events rejected.

import { stateKeyOf } from "../pdu.ts";
import type { JsonObject, Pdu, RoomEvent, StateKey } from "../pdu.ts";
import { getRoomVersion } from "../room-versions.ts";
import type { RoomVersion } from "../room-versions.ts";
import type { StateResSource } from "./state-res-source.ts";

export const ALICE = "@alice:example.org";
export const BOB = "@bob:example.org";
export const CHARLIE = "@charlie:example.org";
export const EVELYN = "@evelyn:example.org";
export const CREATE = "$CREATE";

export interface EventSpec {
  type: string;
  sender: string;
  stateKey?: string;
  content?: JsonObject;
  /** Auth events; before v12 "$CREATE" is added when missing (v12 never lists it). */
  auth?: string[];
  /** Defaults to the previously added event. */
  prev?: string[];
  /** Defaults to a clock that ticks once per added event. */
  ts?: number;
}

export function versionOf(id: string): RoomVersion {
  const version = getRoomVersion(id);
  if (version === undefined) throw new Error(`unknown room version ${id}`);
  return version;
}

export class TestDag implements StateResSource {
  readonly version: RoomVersion;
  readonly roomId: string;
  readonly events = new Map<string, RoomEvent>();
  readonly loads = new Map<string, number>();
  readonly rejected = new Set<string>();
  #clock = 0;
  #last: string | undefined;

  /** `version` may be a hypothetical one (e.g. v11 rules with v2.1 resolution) to compare algorithms. */
  constructor(version: RoomVersion | string, createContent: JsonObject = {}) {
    this.version = typeof version === "string" ? versionOf(version) : version;
    this.roomId = this.version.roomIdFromCreate ? `!${CREATE.slice(1)}` : "!room:example.org";
    const content: JsonObject = { room_version: this.version.id, ...createContent };
    if (!this.version.implicitCreator) content["creator"] = ALICE;
    this.add(CREATE, { type: "m.room.create", sender: ALICE, stateKey: "", content, prev: [] });
  }

  add(id: string, spec: EventSpec): string {
    if (this.events.has(id)) throw new Error(`duplicate event ${id}`);
    const auth = spec.auth ?? [];
    const isCreate = spec.type === "m.room.create";
    const pdu: Pdu = {
      auth_events: isCreate || this.version.roomIdFromCreate || auth.includes(CREATE) ? auth : [CREATE, ...auth],
      content: spec.content ?? {},
      depth: this.events.size + 1,
      hashes: { sha256: "" },
      origin_server_ts: spec.ts ?? ++this.#clock,
      prev_events: spec.prev ?? (this.#last === undefined ? [] : [this.#last]),
      room_id: this.roomId,
      sender: spec.sender,
      signatures: {},
      type: spec.type,
    };
    if (isCreate && this.version.roomIdFromCreate) delete pdu.room_id;
    if (spec.stateKey !== undefined) pdu.state_key = spec.stateKey;
    this.events.set(id, { eventId: id, pdu });
    this.#last = id;
    return id;
  }

  member(id: string, sender: string, target: string, membership: string, auth: string[], extra: Partial<EventSpec> = {}): string {
    return this.add(id, { type: "m.room.member", sender, stateKey: target, content: { membership }, auth, ...extra });
  }

  /** Power levels; creators are dropped from `users` in v12, where they may not appear (rule 10.4). */
  powerLevels(id: string, sender: string, users: Record<string, number>, auth: string[], extra: Partial<EventSpec> = {}): string {
    const kept: JsonObject = {};
    for (const [user, level] of Object.entries(users)) {
      if (!(this.version.privilegedCreators && this.#creators().has(user))) kept[user] = level;
    }
    return this.add(id, { type: "m.room.power_levels", sender, stateKey: "", content: { users: kept }, auth, ...extra });
  }

  joinRules(id: string, sender: string, joinRule: string, auth: string[], extra: Partial<EventSpec> = {}): string {
    return this.add(id, { type: "m.room.join_rules", sender, stateKey: "", content: { join_rule: joinRule }, auth, ...extra });
  }

  topic(id: string, sender: string, topic: string, auth: string[], extra: Partial<EventSpec> = {}): string {
    return this.add(id, { type: "m.room.topic", sender, stateKey: "", content: { topic }, auth, ...extra });
  }

  /** A state map holding the given events, each at its own (type, state_key). */
  state(...ids: string[]): Map<StateKey, string> {
    const map = new Map<StateKey, string>();
    for (const id of ids) {
      const pdu = this.get(id).pdu;
      if (pdu.state_key === undefined) throw new Error(`${id} is not a state event`);
      map.set(stateKeyOf(pdu.type, pdu.state_key), id);
    }
    return map;
  }

  get(id: string): RoomEvent {
    const event = this.events.get(id);
    if (event === undefined) throw new Error(`no event ${id} in the test DAG`);
    return event;
  }

  getEvent(eventId: string): Promise<RoomEvent | undefined> {
    this.loads.set(eventId, (this.loads.get(eventId) ?? 0) + 1);
    return Promise.resolve(this.events.get(eventId));
  }

  isRejected(eventId: string): boolean {
    return this.rejected.has(eventId);
  }

  #creators(): Set<string> {
    const content = this.get(CREATE).pdu.content;
    const extra = content["additional_creators"];
    return new Set([ALICE, ...(Array.isArray(extra) ? extra.filter((u) => typeof u === "string") : [])]);
  }
}

/**
 * The usual start of a room: $IMA (Alice joins), $IPOWER (Alice 100, or a creator in v12),
 * $IJR (public), $IMB and $IMC (Bob and Charlie join). `users` adds levels to $IPOWER.
 */
export function standardRoom(version: RoomVersion | string, users: Record<string, number> = {}, createContent: JsonObject = {}): TestDag {
  const dag = new TestDag(version, createContent);
  dag.member("$IMA", ALICE, ALICE, "join", []);
  dag.powerLevels("$IPOWER", ALICE, { [ALICE]: 100, ...users }, ["$IMA"]);
  dag.joinRules("$IJR", ALICE, "public", ["$IPOWER", "$IMA"]);
  dag.member("$IMB", BOB, BOB, "join", ["$IJR", "$IPOWER"]);
  dag.member("$IMC", CHARLIE, CHARLIE, "join", ["$IJR", "$IPOWER"]);
  return dag;
}

/** The state of a standard room, before anything else happened. */
export const BASE_STATE = [CREATE, "$IMA", "$IPOWER", "$IJR", "$IMB", "$IMC"] as const;

/** The resolved state as { "type|state_key": eventId } for readable deep-equality assertions. */
export function readable(state: ReadonlyMap<StateKey, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, id] of [...state].sort(([a], [b]) => (a < b ? -1 : 1))) out[key.replace("\u0000", "|")] = id;
  return out;
}
