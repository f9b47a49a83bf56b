// POST /createRoom as a service: builds the initial state events in the spec's order.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#post_matrixclientv3createroom
import type { JsonObject } from "../../room/pdu.ts";
import { randomBytes } from "node:crypto";
import { MatrixError } from "../../spec/matrix-error.ts";
import type { LocalEvents, NewEvent } from "./local-events.ts";
import { versionOrThrow } from "./local-events.ts";
import type { RoomStore } from "../../storage/room-store.ts";

export interface CreateRoomRequest {
  creator: string;
  /** displayname/avatar_url for the creator's join event (rooms/member-content.ts). */
  creatorProfile?: JsonObject;
  serverName: string;
  roomVersion: string;
  preset: "private_chat" | "public_chat" | "trusted_private_chat";
  visibility: "public" | "private";
  name?: string;
  topic?: string;
  aliasLocalpart?: string;
  invite: string[];
  isDirect: boolean;
  creationContent: JsonObject;
  initialState: NewEvent[];
  powerLevelOverride?: JsonObject;
  roomType?: string;
  /** config rooms.encryption_by_default: which new rooms start end-to-end encrypted. */
  encryptionByDefault?: "off" | "all" | "invite";
}

export interface CreateRoomDeps {
  localEvents: LocalEvents;
  rooms: RoomStore;
  /** Invites go through the membership service (remote invitees get a federation invite). */
  invite: (roomId: string, inviter: string, invitee: string, extraContent: JsonObject) => Promise<unknown>;
}

export async function createRoom(deps: CreateRoomDeps, req: CreateRoomRequest): Promise<string> {
  const version = versionOrThrow(req.roomVersion);
  let alias: string | undefined;
  if (req.aliasLocalpart !== undefined) {
    alias = `#${req.aliasLocalpart}:${req.serverName}`;
    if (await deps.rooms.getAlias(alias)) throw new MatrixError("M_ROOM_IN_USE", 400, `Alias ${alias} already exists`);
  }
  const createContent: JsonObject = { ...req.creationContent, room_version: version.id };
  if (!version.implicitCreator) createContent["creator"] = req.creator;
  if (req.roomType !== undefined) createContent["type"] = req.roomType;
  const roomId = version.roomIdFromCreate ? undefined : `!${randomBytes(12).toString("base64url")}:${req.serverName}`;
  const initial = initialEvents(req, version.privilegedCreators, alias);
  // Size limits are checked for every event before the first is persisted: no half-created room.
  initial.forEach((ev, i) => deps.localEvents.checkFits(roomId, req.creator, ev, version, i + 2));
  const created = await deps.localEvents.createRoomEvent(version, roomId, req.creator, createContent);
  const id = created.roomId;
  if (alias) await deps.rooms.setAlias(alias, id, req.creator);
  for (const ev of initial) await deps.localEvents.send(id, req.creator, ev);
  for (const invitee of req.invite) await deps.invite(id, req.creator, invitee, req.isDirect ? { is_direct: true } : {});
  if (req.visibility === "public") await deps.rooms.setPublic(id, true);
  return id;
}

/** The events after m.room.create, in the spec's order. */
function initialEvents(req: CreateRoomRequest, privilegedCreators: boolean, alias: string | undefined): NewEvent[] {
  const out: NewEvent[] = [
    { type: "m.room.member", stateKey: req.creator, content: { ...req.creatorProfile, membership: "join" } },
    { type: "m.room.power_levels", stateKey: "", content: powerLevels(req, privilegedCreators) },
  ];
  if (alias) out.push({ type: "m.room.canonical_alias", stateKey: "", content: { alias } });
  const presetState: NewEvent[] = [
    { type: "m.room.join_rules", stateKey: "", content: { join_rule: req.preset === "public_chat" ? "public" : "invite" } },
    { type: "m.room.history_visibility", stateKey: "", content: { history_visibility: "shared" } },
  ];
  if (req.preset !== "public_chat") presetState.push({ type: "m.room.guest_access", stateKey: "", content: { guest_access: "can_join" } });
  if (encryptedByDefault(req)) presetState.push({ type: "m.room.encryption", stateKey: "", content: { algorithm: "m.megolm.v1.aes-sha2" } });
  const overridden = new Set(req.initialState.map((e) => `${e.type}\u0000${e.stateKey ?? ""}`));
  out.push(...presetState.filter((ev) => !overridden.has(`${ev.type}\u0000${ev.stateKey ?? ""}`)), ...req.initialState);
  if (req.name !== undefined) out.push({ type: "m.room.name", stateKey: "", content: { name: req.name } });
  if (req.topic !== undefined) out.push({ type: "m.room.topic", stateKey: "", content: { topic: req.topic } });
  return out;
}

/** Like Synapse's encryption_enabled_by_default_for_room_type; initial_state may still override it. */
function encryptedByDefault(req: CreateRoomRequest): boolean {
  const mode = req.encryptionByDefault ?? "off";
  return mode === "all" || (mode === "invite" && (req.preset !== "public_chat" || req.isDirect));
}

function powerLevels(req: CreateRoomRequest, privilegedCreators: boolean): JsonObject {
  const users: JsonObject = privilegedCreators ? {} : { [req.creator]: 100 };
  if (req.preset === "trusted_private_chat") for (const u of req.invite) users[u] = 100;
  const base: JsonObject = {
    users, users_default: 0, events_default: 0, state_default: 50, ban: 50, kick: 50, redact: 50, invite: req.preset === "public_chat" ? 0 : 0,
    events: {
      "m.room.name": 50, "m.room.power_levels": 100, "m.room.history_visibility": 100, "m.room.canonical_alias": 50,
      "m.room.avatar": 50, "m.room.tombstone": 100, "m.room.server_acl": 100, "m.room.encryption": 100,
    },
    notifications: { room: 50 },
  };
  return { ...base, ...req.powerLevelOverride };
}
