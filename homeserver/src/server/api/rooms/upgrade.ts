// POST /rooms/{roomId}/upgrade: new room with the old one's important state, then a tombstone.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#server-behaviour-19
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { bodyObject, reqString } from "../json.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { stateKeyOf, type JsonObject } from "../../../room/pdu.ts";
import { getRoomVersion } from "../../../room/room-versions.ts";
import { randomBytes } from "node:crypto";

const COPIED = ["m.room.join_rules", "m.room.history_visibility", "m.room.guest_access", "m.room.name", "m.room.topic", "m.room.avatar", "m.room.encryption", "m.room.server_acl", "m.room.power_levels"];

export const upgradeHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const newVersionId = reqString(bodyObject(ctx.body), "new_version", 32);
  const version = getRoomVersion(newVersionId);
  if (!version) throw new MatrixError("M_UNSUPPORTED_ROOM_VERSION", 400, `Unsupported room version ${newVersionId}`);
  const oldId = ctx.params["roomId"] ?? "";
  const room = await s.stores.rooms.getRoom(oldId);
  if (!room || room.currentStateGroup === undefined) throw new MatrixError("M_NOT_FOUND", 404, "Unknown room");
  if ((await s.stores.rooms.membership(oldId, me.userId)) !== "join") throw new MatrixError("M_FORBIDDEN", 403, "You are not in this room");
  const state = await s.stores.events.stateMapOfGroup(room.currentStateGroup);
  const rows = await s.stores.events.getEvents(COPIED.map((t) => state.get(stateKeyOf(t, ""))).filter((x): x is string => x !== undefined));
  const byType = new Map([...rows.values()].map((r) => [r.event.pdu.type, r.event.pdu.content]));
  // Check first that we may send the tombstone, by dry-running its auth through the real send below
  // only after the new room exists would leave an orphan room: so check the power level now.
  const pl = byType.get("m.room.power_levels");
  const createId = state.get(stateKeyOf("m.room.create", "")) ?? "";
  const tombstoneLevel = typeof pl?.["events"] === "object" && pl["events"] && !Array.isArray(pl["events"]) ? pl["events"]["m.room.tombstone"] : undefined;
  const users = pl?.["users"] && typeof pl["users"] === "object" && !Array.isArray(pl["users"]) ? pl["users"] : {};
  const myLevel = room.creator === me.userId && version.privilegedCreators ? Infinity : Number(users[me.userId] ?? pl?.["users_default"] ?? 0);
  if (myLevel < Number(tombstoneLevel ?? pl?.["state_default"] ?? 50)) throw new MatrixError("M_FORBIDDEN", 403, "You may not upgrade this room");

  const createContent: JsonObject = { room_version: version.id, predecessor: { room_id: oldId, event_id: createId } };
  if (!version.implicitCreator) createContent["creator"] = me.userId;
  const created = await s.localEvents.createRoomEvent(version, version.roomIdFromCreate ? undefined : `!${randomBytes(12).toString("base64url")}:${s.serverName}`, me.userId, createContent);
  const newId = created.roomId;
  await s.localEvents.send(newId, me.userId, { type: "m.room.member", stateKey: me.userId, content: { membership: "join" } });
  for (const t of COPIED) {
    let content = byType.get(t);
    if (!content) continue;
    if (t === "m.room.power_levels" && version.privilegedCreators && users[me.userId] !== undefined) {
      const { [me.userId]: _drop, ...rest } = users;
      content = { ...content, users: rest };
    }
    await s.localEvents.send(newId, me.userId, { type: t, stateKey: "", content });
  }
  await s.localEvents.send(oldId, me.userId, { type: "m.room.tombstone", stateKey: "", content: { body: "This room has been replaced", replacement_room: newId } });
  return { json: { replacement_room: newId } };
};
