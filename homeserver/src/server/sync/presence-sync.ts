// m.presence events in /sync: users sharing a joined room with the syncing user (and the user
// themself) whose presence changed since the token. Spec: https://spec.matrix.org/v1.16/client-server-api/#presence
import type { JsonObject } from "../../room/pdu.ts";
import type { ServerContext } from "../context.ts";

/** At most this many presence changes per sync (an initial sync of a busy council). */
const PRESENCE_LIMIT = 500;
/** "currently_active" means seen within the last few minutes. */
const ACTIVE_WINDOW_MS = 5 * 60_000;

/** The presence content clients see (GET /presence and m.presence events). */
export function presenceContent(p: { state: string; statusMsg: string | undefined; lastActiveTs: number }, now: number): JsonObject {
  const ago = Math.max(0, now - p.lastActiveTs);
  const content: JsonObject = { presence: p.state, last_active_ago: ago };
  if (p.statusMsg !== undefined) content["status_msg"] = p.statusMsg;
  if (p.state === "online") content["currently_active"] = ago < ACTIVE_WINDOW_MS;
  return content;
}

export async function presenceEvents(s: ServerContext, me: string, since: number): Promise<JsonObject[]> {
  const changed = await s.stores.users.presenceChangedSince(since, PRESENCE_LIMIT);
  const out: JsonObject[] = [];
  for (const userId of changed) {
    if (userId !== me && !(await s.stores.rooms.shareRoom(me, userId))) continue;
    const p = await s.stores.users.getPresence(userId);
    if (p) out.push({ type: "m.presence", sender: userId, content: presenceContent(p, s.clock.now()) });
  }
  return out;
}
