// A profile change (displayname, avatar_url) reaches the user's m.room.member event in every room
// they are joined to, as other servers and clients read names from room state. Like Synapse, each
// room gets a new join event from the user; a failure in one room is logged and the others go on.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#events-on-change-of-profile-information
import type { JsonObject } from "../../room/pdu.ts";
import { stateKeyOf } from "../../room/pdu.ts";
import type { EventStore } from "../../storage/event-store.ts";
import type { RoomStore } from "../../storage/room-store.ts";
import type { Logger } from "../log.ts";
import type { LocalEvents } from "./local-events.ts";

export interface MemberProfile {
  displayname: string | undefined;
  avatarUrl: string | undefined;
}

export interface MemberProfileDeps {
  localEvents: Pick<LocalEvents, "send">;
  rooms: Pick<RoomStore, "roomsForUser">;
  events: Pick<EventStore, "getEvent">;
  log: Logger;
}

/** Keys of a join event that belong to the join itself and must not be repeated by a profile update. */
const NOT_REPEATED = ["reason", "join_authorised_via_users_server"];

/**
 * The content of the join event carrying a new profile: the current content with its profile
 * fields replaced (cleared fields removed); undefined when nothing would change.
 */
export function memberContentWithProfile(current: JsonObject, profile: MemberProfile): JsonObject | undefined {
  if (current["displayname"] === profile.displayname && current["avatar_url"] === profile.avatarUrl) return undefined;
  const next: JsonObject = { ...current, membership: "join" };
  for (const key of NOT_REPEATED) delete next[key];
  delete next["displayname"];
  delete next["avatar_url"];
  if (profile.displayname !== undefined) next["displayname"] = profile.displayname;
  if (profile.avatarUrl !== undefined) next["avatar_url"] = profile.avatarUrl;
  return next;
}

/** Sends the new profile into each joined room; returns how many rooms were updated and failed. */
export async function propagateProfile(deps: MemberProfileDeps, userId: string, profile: MemberProfile): Promise<{ updated: number; failed: number }> {
  let updated = 0;
  let failed = 0;
  for (const m of await deps.rooms.roomsForUser(userId)) {
    if (m.membership !== "join") continue;
    try {
      const current = (await deps.events.getEvent(m.eventId))?.event.pdu.content ?? {};
      const content = memberContentWithProfile(current, profile);
      if (!content) continue;
      await deps.localEvents.send(m.roomId, userId, { type: "m.room.member", stateKey: userId, content }, {
        precondition: async (state) => {
          const id = state.get(stateKeyOf("m.room.member", userId));
          const now = id === m.eventId ? current : id === undefined ? undefined : (await deps.events.getEvent(id))?.event.pdu.content;
          if (now?.["membership"] !== "join") throw new Error("no longer joined");
        },
      });
      updated++;
    } catch (err) {
      failed++;
      deps.log.warn("profile not propagated to a room", { user_id: userId, room_id: m.roomId, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { updated, failed };
}
