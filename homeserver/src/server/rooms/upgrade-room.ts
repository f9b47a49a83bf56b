// Room upgrades as a service: a replacement room with the old one's important state, local aliases
// and directory listing moved over, then a tombstone and locked-down power levels in the old room.
// Members are not moved nor invited: servers cannot impersonate other servers' users, and the spec
// leaves inviting to clients. Spec: https://spec.matrix.org/v1.16/client-server-api/#server-behaviour-19
import { randomBytes } from "node:crypto";
import type { JsonObject, RoomEvent } from "../../room/pdu.ts";
import { splitStateKey, stateKeyOf } from "../../room/pdu.ts";
import { getRoomVersion, type RoomVersion } from "../../room/room-versions.ts";
import { parsePowerLevels, requiredPowerLevel, roomCreators, userPowerLevel } from "../../room/auth/power-levels.ts";
import { MatrixError } from "../../spec/matrix-error.ts";
import type { EventStore } from "../../storage/event-store.ts";
import type { RoomStore } from "../../storage/room-store.ts";
import type { UserStore } from "../../storage/user-store.ts";
import type { Logger } from "../log.ts";
import type { LocalEvents, NewEvent } from "./local-events.ts";
import type { KeyedLock } from "./room-lock.ts";
import { lockedPowerLevels, upgradedPowerLevels } from "./upgrade-power-levels.ts";

export interface UpgradeRoomDeps {
  localEvents: LocalEvents;
  rooms: RoomStore;
  events: EventStore;
  users: UserStore;
  serverName: string;
  /** Serialises upgrades of one room (not the room's writer lock, which each send takes). */
  lock: KeyedLock;
  log: Logger;
}

export interface UpgradeRoomRequest {
  roomId: string;
  userId: string;
  version: RoomVersion;
  /** v12+: further creators of the new room (those of the old room are not carried over). */
  additionalCreators: readonly string[];
}

/** The recommended state to transfer (step 3), sent in this order, power levels last. */
const COPIED = ["m.room.server_acl", "m.room.encryption", "m.room.name", "m.room.avatar", "m.room.topic", "m.room.guest_access",
  "m.room.history_visibility", "m.room.join_rules", "m.space.child"];

interface OldRoom {
  roomId: string;
  version: RoomVersion;
  isPublic: boolean;
  create: RoomEvent;
  powerLevels: RoomEvent | undefined;
  /** The copied state events, and the canonical alias, in COPIED order. */
  copied: RoomEvent[];
  canonicalAlias: RoomEvent | undefined;
  bans: RoomEvent[];
  /** "The event ID of the last known event in the old room" (m.room.create `predecessor`). */
  lastEventId: string | undefined;
}

/** Upgrades a room; returns the replacement room's id. */
export function upgradeRoom(deps: UpgradeRoomDeps, req: UpgradeRoomRequest): Promise<string> {
  return deps.lock.run(`upgrade|${req.roomId}`, async () => {
    const old = await loadOldRoom(deps, req);
    const plannedId = req.version.roomIdFromCreate ? undefined : `!${randomBytes(12).toString("base64url")}:${deps.serverName}`;
    const plan = replacementState(old, req);
    // The new room's envelope differs from the old one's (room id, auth events, creators moved into
    // `users`): every event is size-checked before anything is created, so a 413 leaves no new room.
    const all = [...plan.copied, ...(plan.canonicalAlias ? [plan.canonicalAlias] : []), ...plan.bans, ...(plan.powerLevels ? [plan.powerLevels] : [])];
    all.forEach((ev, i) => deps.localEvents.checkFits(plannedId, req.userId, ev, req.version, i + 3)); // after create and join
    const newId = await createReplacement(deps, req, old, plannedId);
    const send = (roomId: string, ev: NewEvent): Promise<unknown> => deps.localEvents.send(roomId, req.userId, ev);
    const tryTo = async (what: string, roomId: string, ev: NewEvent): Promise<void> => {
      await send(roomId, ev).catch((err: unknown) => deps.log.warn(`room upgrade: could not ${what}`, { room_id: roomId, old_room_id: old.roomId, error: String(err) }));
    };
    for (const ev of plan.copied) await tryTo(`copy ${ev.type}`, newId, ev);
    // Step 4: local aliases point to the new room, whose canonical alias is the old one's.
    await deps.rooms.moveAliases(old.roomId, newId);
    if (plan.canonicalAlias) {
      await tryTo("copy the canonical alias", newId, plan.canonicalAlias);
      await tryTo("clear the old canonical alias", old.roomId, { type: "m.room.canonical_alias", stateKey: "", content: {} });
    }
    for (const ban of plan.bans) await tryTo("copy a ban", newId, ban);
    // Power levels last: until then the upgrader has the creator's power in the new room.
    if (plan.powerLevels) await send(newId, plan.powerLevels);
    if (old.isPublic) {
      await deps.rooms.setPublic(newId, true);
      await deps.rooms.setPublic(old.roomId, false);
    }
    // Step 5: the tombstone, which the permission check made sure we may send.
    await send(old.roomId, { type: "m.room.tombstone", stateKey: "", content: { body: "This room has been replaced", replacement_room: newId } });
    // Step 6, "if possible".
    const locked = old.powerLevels ? lockedPowerLevels(old.powerLevels.pdu.content, old.version) : undefined;
    if (locked) await tryTo("lock the old room's power levels", old.roomId, { type: "m.room.power_levels", stateKey: "", content: locked });
    return newId;
  });
}

/** Steps 3 and 4: what the new room receives after the upgrader's join. */
function replacementState(old: OldRoom, req: UpgradeRoomRequest): { copied: NewEvent[]; canonicalAlias?: NewEvent; bans: NewEvent[]; powerLevels?: NewEvent } {
  const copied = old.copied.map((e): NewEvent => ({ type: e.pdu.type, stateKey: e.pdu.state_key ?? "", content: e.pdu.content }));
  const bans = old.bans.map((ban): NewEvent => {
    const content: JsonObject = { membership: "ban" };
    if (typeof ban.pdu.content["reason"] === "string") content["reason"] = ban.pdu.content["reason"];
    return { type: "m.room.member", stateKey: ban.pdu.state_key ?? "", content };
  });
  return {
    copied, bans,
    ...(old.canonicalAlias ? { canonicalAlias: { type: "m.room.canonical_alias", stateKey: "", content: old.canonicalAlias.pdu.content } } : {}),
    ...(old.powerLevels ? { powerLevels: { type: "m.room.power_levels", stateKey: "", content: newPowerLevels(old, req) } } : {}),
  };
}

/** The old room's state and step 1: the upgrader may send m.room.tombstone. Nothing is created yet. */
async function loadOldRoom(deps: UpgradeRoomDeps, req: UpgradeRoomRequest): Promise<OldRoom> {
  const room = await deps.rooms.getRoom(req.roomId);
  if (!room || room.currentStateGroup === undefined) throw new MatrixError("M_NOT_FOUND", 404, "Unknown room");
  const version = getRoomVersion(room.version);
  if (!version) throw new MatrixError("M_UNSUPPORTED_ROOM_VERSION", 400, `Unsupported room version ${room.version}`);
  if ((await deps.rooms.membership(req.roomId, req.userId)) !== "join") throw new MatrixError("M_FORBIDDEN", 403, "You are not in this room");
  const state = await deps.events.stateMapOfGroup(room.currentStateGroup);
  const bans = (await deps.rooms.members(req.roomId, "ban")).map((m) => m.eventId);
  const wanted = [...state].filter(([key]) => splitStateKey(key)[0] !== "m.room.member").map(([, id]) => id);
  const rows = await deps.events.getEvents([...wanted, ...bans]);
  const byKey = (type: string, key = ""): RoomEvent | undefined => {
    const id = state.get(stateKeyOf(type, key));
    return id === undefined ? undefined : rows.get(id)?.event;
  };
  const create = byKey("m.room.create");
  if (!create) throw new MatrixError("M_NOT_FOUND", 404, "Unknown room");
  const powerLevels = byKey("m.room.power_levels");
  const mine = userPowerLevel(req.userId, powerLevels, create, version);
  if (mine < requiredPowerLevel(parsePowerLevels(powerLevels?.pdu.content, version), "m.room.tombstone", true)) {
    throw new MatrixError("M_FORBIDDEN", 403, "You may not upgrade this room: you cannot send its m.room.tombstone");
  }
  const copied = [...rows.values()].map((r) => r.event)
    .filter((e) => COPIED.includes(e.pdu.type) && (e.pdu.type === "m.space.child" || e.pdu.state_key === "") && Object.keys(e.pdu.content).length > 0)
    .sort((a, b) => COPIED.indexOf(a.pdu.type) - COPIED.indexOf(b.pdu.type));
  const [last] = await deps.events.roomEvents(req.roomId, { limit: 1, backwards: true });
  return {
    roomId: req.roomId, version, isPublic: room.isPublic, create, powerLevels, copied, canonicalAlias: byKey("m.room.canonical_alias"),
    bans: bans.map((id) => rows.get(id)?.event).filter((e): e is RoomEvent => e !== undefined), lastEventId: last?.event.eventId,
  };
}

/** Step 2: the create event (predecessor, version, the old room's type) and the upgrader's join. */
async function createReplacement(deps: UpgradeRoomDeps, req: UpgradeRoomRequest, old: OldRoom, roomId: string | undefined): Promise<string> {
  const { version } = req;
  const predecessor: JsonObject = { room_id: old.roomId };
  if (old.lastEventId !== undefined) predecessor["event_id"] = old.lastEventId;
  const content: JsonObject = { room_version: version.id, predecessor };
  if (!version.implicitCreator) content["creator"] = req.userId;
  const type = old.create.pdu.content["type"];
  if (typeof type === "string") content["type"] = type;
  const additional = req.additionalCreators.filter((u) => u !== req.userId);
  if (version.privilegedCreators && additional.length > 0) content["additional_creators"] = [...new Set(additional)];
  const created = await deps.localEvents.createRoomEvent(version, roomId, req.userId, content);
  const join: JsonObject = { membership: "join" };
  const me = await deps.users.getUser(req.userId);
  if (me?.displayname !== undefined) join["displayname"] = me.displayname;
  if (me?.avatarUrl !== undefined) join["avatar_url"] = me.avatarUrl;
  await deps.localEvents.send(created.roomId, req.userId, { type: "m.room.member", stateKey: req.userId, content: join });
  return created.roomId;
}

function newPowerLevels(old: OldRoom, req: UpgradeRoomRequest): JsonObject {
  const oldCreators = old.version.privilegedCreators ? roomCreators(old.create, old.version) : new Set<string>();
  const newCreators = req.version.privilegedCreators ? new Set([req.userId, ...req.additionalCreators]) : new Set<string>();
  return upgradedPowerLevels({ content: old.powerLevels?.pdu.content ?? {}, oldVersion: old.version, newVersion: req.version, oldCreators, newCreators });
}
