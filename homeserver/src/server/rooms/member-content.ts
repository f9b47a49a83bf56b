// The profile part of a member event built by this server: displayname and avatar_url of a local
// user, as the spec's m.room.member content allows, so clients show names rather than Matrix ids
// from room state alone. Remote users' profiles are theirs to put in their own events.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#mroommember
import type { JsonObject } from "../../room/pdu.ts";
import { serverNameOf } from "../../spec/ids.ts";
import type { UserStore } from "../../storage/user-store.ts";

/** `{displayname?, avatar_url?}` of a local user; empty for remote or unknown users. */
export async function localProfileContent(users: Pick<UserStore, "getUser">, serverName: string, userId: string): Promise<JsonObject> {
  if (serverNameOf(userId) !== serverName) return {};
  const u = await users.getUser(userId);
  const out: JsonObject = {};
  if (u?.displayname) out["displayname"] = u.displayname;
  if (u?.avatarUrl) out["avatar_url"] = u.avatarUrl;
  return out;
}
