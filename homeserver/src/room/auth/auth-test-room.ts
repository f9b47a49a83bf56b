// Test support only: small hand-made rooms for the auth rule tests (no hashing, fake event ids).

import assert from "node:assert/strict";
import { stateKeyOf } from "../pdu.ts";
import type { JsonObject, Pdu, RoomEvent, StateKey } from "../pdu.ts";
import { getRoomVersion } from "../room-versions.ts";
import type { RoomVersion } from "../room-versions.ts";
import { checkAuth } from "./check-auth.ts";
import type { AuthOptions, AuthVerdict } from "./check-auth.ts";

export const ALICE = "@alice:a.example";
export const BOB = "@bob:b.example";
export const CAROL = "@carol:c.example";
export const DAVE = "@dave:d.example";
export const ALL_VERSIONS = ["6", "7", "8", "9", "10", "11", "12"] as const;
export type VersionId = (typeof ALL_VERSIONS)[number];

export function versionOf(id: string): RoomVersion {
  const version = getRoomVersion(id);
  if (version === undefined) throw new Error(`unknown room version ${id}`);
  return version;
}

export interface EventSpec {
  type: string;
  sender: string;
  content?: JsonObject;
  state_key?: string;
  prev_events?: string[];
  auth_events?: string[];
  signatures?: Record<string, Record<string, string>>;
  eventId?: string;
}

let counter = 0;

export class TestRoom {
  readonly version: RoomVersion;
  readonly roomId: string;
  readonly create: RoomEvent;
  readonly state = new Map<StateKey, RoomEvent>();

  /** A room created by `creator` (pre-v11 also `content.creator`), not yet joined by anyone. */
  constructor(versionId: string, createContent: JsonObject = {}, creator = ALICE) {
    this.version = versionOf(versionId);
    this.roomId = this.version.roomIdFromCreate ? "!create" : "!room:a.example";
    const content: JsonObject = { room_version: versionId, ...createContent };
    if (!this.version.implicitCreator && !("creator" in createContent)) content["creator"] = creator;
    const pdu = basePdu({ type: "m.room.create", sender: creator, content, state_key: "" }, this.roomId);
    if (this.version.roomIdFromCreate) delete pdu.room_id;
    this.create = { eventId: "$create", pdu };
    this.put(this.create);
  }

  /** The usual start: creator joined, power levels (creator 100 before v12), join rules. */
  static standard(versionId: string, joinRule = "public", pl: JsonObject = {}): TestRoom {
    const room = new TestRoom(versionId);
    room.member(ALICE, "join");
    room.powerLevels(pl);
    room.joinRules(joinRule);
    return room;
  }

  /** An event of this room (not added to the state). */
  event(spec: EventSpec): RoomEvent {
    return { eventId: spec.eventId ?? `$e${++counter}`, pdu: basePdu(spec, this.roomId) };
  }

  put(event: RoomEvent): this {
    if (event.pdu.state_key === undefined) throw new Error("not a state event");
    this.state.set(stateKeyOf(event.pdu.type, event.pdu.state_key), event);
    return this;
  }

  member(userId: string, membership: string, extra: JsonObject = {}): RoomEvent {
    const e = this.event({ type: "m.room.member", sender: userId, state_key: userId, content: { membership, ...extra } });
    this.put(e);
    return e;
  }

  /**
   * Power levels; `users` defaults to the creator at 100. From v12 the creator is dropped from
   * `users` (creators may not be listed there), which lets one test body serve every version.
   */
  powerLevels(content: JsonObject, sender = ALICE): RoomEvent {
    const given = content["users"];
    const users: JsonObject = { ...(typeof given === "object" && given !== null && !Array.isArray(given) ? given : { [ALICE]: 100 }) };
    if (this.version.privilegedCreators) delete users[ALICE];
    const e = this.event({ type: "m.room.power_levels", sender, state_key: "", content: { ...content, users } });
    this.put(e);
    return e;
  }

  joinRules(joinRule: string): RoomEvent {
    const e = this.event({ type: "m.room.join_rules", sender: ALICE, state_key: "", content: { join_rule: joinRule } });
    this.put(e);
    return e;
  }

  /** A member event for `target` sent by `sender`, checked against the current state. */
  membership(sender: string, target: string, membership: string, extra: JsonObject = {}): AuthVerdict {
    return this.check(this.event({ type: "m.room.member", sender, state_key: target, content: { membership, ...extra } }));
  }

  check(event: RoomEvent, opts?: AuthOptions): AuthVerdict {
    return checkAuth(event, this.state, this.version, opts);
  }
}

function basePdu(spec: EventSpec, roomId: string): Pdu {
  const pdu: Pdu = {
    auth_events: spec.auth_events ?? [],
    content: spec.content ?? {},
    depth: 1,
    hashes: { sha256: "" },
    origin_server_ts: 0,
    prev_events: spec.prev_events ?? (spec.type === "m.room.create" ? [] : ["$prev"]),
    room_id: roomId,
    sender: spec.sender,
    signatures: spec.signatures ?? { [spec.sender.slice(spec.sender.indexOf(":") + 1)]: { "ed25519:1": "sig" } },
    type: spec.type,
  };
  if (spec.state_key !== undefined) pdu.state_key = spec.state_key;
  return pdu;
}

/** Throws unless the verdict is a rejection at `step`. */
export function assertRejected(verdict: AuthVerdict, step: string): void {
  if (verdict.allowed) assert.fail(`expected rejection at step ${step}, got allowed`);
  assert.equal(verdict.step, step, `rejected at ${verdict.step} (${verdict.reason}), expected ${step}`);
  assert.ok(verdict.reason.length > 0);
}

export function assertAllowed(verdict: AuthVerdict): void {
  if (!verdict.allowed) assert.fail(`expected allowed, got rejection at ${verdict.step}: ${verdict.reason}`);
}
