// Shared checks of the federation endpoints.
import { serverAllowedByAcl } from "../../../room/server-acl.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { serverNameOf } from "../../../spec/ids.ts";
import type { RoomVersion } from "../../../room/room-versions.ts";
import type { ServerContext } from "../../context.ts";
import type { FederationServices } from "../../federation/federation-services.ts";
import type { RoomRow } from "../../../storage/room-store.ts";
import { versionOrThrow } from "../../rooms/local-events.ts";

export function fed(s: ServerContext): FederationServices {
  if (!s.federation) throw new MatrixError("M_FORBIDDEN", 403, "Federation is disabled on this server");
  return s.federation;
}

/** A room we take part in, or 404. */
export async function residentRoom(s: ServerContext, roomId: string): Promise<{ room: RoomRow; version: RoomVersion; stateGroup: number }> {
  const room = await s.stores.rooms.getRoom(roomId);
  if (!room || room.currentStateGroup === undefined) throw new MatrixError("M_NOT_FOUND", 404, `Unknown room ${roomId}`);
  return { room, version: versionOrThrow(room.version), stateGroup: room.currentStateGroup };
}

/** m.room.server_acl of the room's current state: 403 when it denies the server. */
export async function checkAcl(s: ServerContext, roomId: string, server: string): Promise<void> {
  const id = await s.stores.rooms.currentStateId(roomId, "m.room.server_acl", "");
  if (!id) return;
  const acl = (await s.stores.events.getEvent(id))?.event.pdu.content;
  if (!serverAllowedByAcl(acl, server)) throw new MatrixError("M_FORBIDDEN", 403, `Server ${server} is denied by the room's ACL`);
}

/** The calling server must have a member (joined or invited) in the room to read its history. */
export async function requireServerInRoom(s: ServerContext, roomId: string, server: string): Promise<void> {
  const members = await s.stores.rooms.members(roomId);
  if (!members.some((m) => serverNameOf(m.userId) === server && (m.membership === "join" || m.membership === "invite"))) {
    throw new MatrixError("M_FORBIDDEN", 403, `${server} is not in room ${roomId}`);
  }
  await checkAcl(s, roomId, server);
}
