// POST /rooms/{roomId}/upgrade: the work is rooms/upgrade-room.ts.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#post_matrixclientv3roomsroomidupgrade
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { bodyObject, optStringArray, reqString } from "../json.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { parseUserId } from "../../../spec/ids.ts";
import { getRoomVersion } from "../../../room/room-versions.ts";
import { upgradeRoom } from "../../rooms/upgrade-room.ts";

export const upgradeHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const b = bodyObject(ctx.body);
  const newVersionId = reqString(b, "new_version", 32);
  const additionalCreators = optStringArray(b, "additional_creators") ?? [];
  const bad = additionalCreators.find((u) => !parseUserId(u));
  if (bad !== undefined) throw new MatrixError("M_INVALID_PARAM", 400, `'${bad}' in additional_creators is not a user id`);
  const version = getRoomVersion(newVersionId);
  if (!version) throw new MatrixError("M_UNSUPPORTED_ROOM_VERSION", 400, `Unsupported room version ${newVersionId}`);
  const deps = {
    localEvents: s.localEvents, rooms: s.stores.rooms, events: s.stores.events, users: s.stores.users, serverName: s.serverName,
    lock: s.roomLock, log: ctx.log,
  };
  const replacement = await upgradeRoom(deps, { roomId: ctx.params["roomId"] ?? "", userId: me.userId, version, additionalCreators });
  ctx.log.info("room upgraded", { room_id: ctx.params["roomId"], replacement_room: replacement, room_version: version.id });
  return { json: { replacement_room: replacement } };
};
