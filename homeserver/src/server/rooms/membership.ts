// Membership changes by local users: join, invite, leave, kick, ban, unban, knock.
// The auth rules decide; this only shapes the member events. Spec: https://spec.matrix.org/v1.16/client-server-api/#room-membership
import type { JsonObject } from "../../room/pdu.ts";
import { MatrixError } from "../../spec/matrix-error.ts";
import type { LocalEvents, PersistedEvent } from "./local-events.ts";
import type { RoomStore } from "../../storage/room-store.ts";
import type { UserStore } from "../../storage/user-store.ts";

export interface MembershipDeps {
  localEvents: LocalEvents;
  rooms: RoomStore;
  users: UserStore;
}

export type MembershipAction = "join" | "invite" | "leave" | "kick" | "ban" | "unban" | "knock";

const MEMBERSHIP_OF: Record<MembershipAction, string> = {
  join: "join", invite: "invite", leave: "leave", kick: "leave", ban: "ban", unban: "leave", knock: "knock",
};

export async function changeMembership(
  deps: MembershipDeps, roomId: string, actor: string, action: MembershipAction, target: string, reason: string | undefined,
): Promise<PersistedEvent> {
  if (!(await deps.rooms.getRoom(roomId))) {
    throw new MatrixError(action === "join" || action === "knock" ? "M_NOT_FOUND" : "M_FORBIDDEN", action === "join" || action === "knock" ? 404 : 403, `Unknown room ${roomId}`);
  }
  const current = await deps.rooms.membership(roomId, target);
  if (action === "kick" && current !== "join" && current !== "invite" && current !== "knock") {
    throw new MatrixError("M_FORBIDDEN", 403, `${target} is not in the room`);
  }
  if (action === "unban" && current !== "ban") throw new MatrixError("M_FORBIDDEN", 403, `${target} is not banned`);
  if (action === "invite" && current === "join") throw new MatrixError("M_FORBIDDEN", 403, `${target} is already in the room`);
  if (action === "invite" && current === "ban") throw new MatrixError("M_FORBIDDEN", 403, `${target} is banned from the room`);
  if (action === "join" && current === "join") {
    // joining twice is a no-op that still refreshes the profile in the member event
  }
  const content: JsonObject = { membership: MEMBERSHIP_OF[action] };
  if (reason !== undefined) content["reason"] = reason;
  const profileUser = action === "join" || action === "knock" ? actor : action === "invite" ? target : undefined;
  if (profileUser) {
    const u = await deps.users.getUser(profileUser);
    if (u?.displayname) content["displayname"] = u.displayname;
    if (u?.avatarUrl) content["avatar_url"] = u.avatarUrl;
  }
  return deps.localEvents.send(roomId, actor, { type: "m.room.member", stateKey: target, content });
}
