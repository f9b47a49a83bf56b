// GET|PUT /presence/{userId}/status
// Spec: https://spec.matrix.org/v1.16/client-server-api/#presence
// Presence is stored per user; delivering it in /sync (m.presence events) is the sync work's.
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { badJson, forbidden, notFound } from "../../../spec/matrix-error.ts";
import { serverNameOf } from "../../../spec/ids.ts";
import { bodyObject, optString } from "../json.ts";
import { requireSelf, userIdParam } from "./common.ts";
import { presenceContent } from "../../sync/presence-sync.ts";

const STATES = ["online", "offline", "unavailable"];

export const putPresenceHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const userId = userIdParam(ctx);
  requireSelf(me, userId, "set presence");
  const b = bodyObject(ctx.body);
  const state = b["presence"];
  if (typeof state !== "string" || !STATES.includes(state)) throw badJson("'presence' must be online, offline or unavailable");
  const statusMsg = optString(b, "status_msg", 1024);
  await s.stores.users.setPresence(userId, state, statusMsg, s.clock.now());
  await notifyPresenceWatchers(s, userId);
  await s.federation?.edus.presence(userId, state, statusMsg);
  return { json: {} };
};

/** Wakes the /sync of the user and of everyone sharing a room with them. */
export async function notifyPresenceWatchers(s: ServerContext, userId: string): Promise<void> {
  const watchers = new Set([userId]);
  for (const r of await s.stores.rooms.roomsForUser(userId)) {
    if (r.membership !== "join") continue;
    for (const m of await s.stores.rooms.members(r.roomId, "join")) watchers.add(m.userId);
  }
  s.notifier.notifyUsers(watchers);
}

/** Visible to the user and to users sharing a room with them (as Synapse does by default). */
export const getPresenceHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const userId = userIdParam(ctx);
  const local = serverNameOf(userId) === s.serverName;
  if (local && !(await s.stores.users.getUser(userId))) throw notFound("Unknown user");
  if (userId !== me.userId && !(await s.stores.rooms.shareRoom(me.userId, userId))) {
    throw forbidden("You are not allowed to see this user's presence");
  }
  const p = await s.stores.users.getPresence(userId);
  // users of other councils: what their server last told us (m.presence EDUs)
  if (!p && !local) throw notFound("No presence known for this user");
  if (!p) return { json: { presence: "offline" } };
  return { json: presenceContent(p, s.clock.now()) };
};
