// EDUs of /send: typing, receipts, presence. Each is checked against the origin and the room ACL.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#edus
import type { ServerContext } from "../../context.ts";
import { serverNameOf } from "../../../spec/ids.ts";
import { checkAcl } from "./common.ts";
import { notifyPresenceWatchers } from "../account/presence.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export async function handleEdu(s: ServerContext, origin: string, edu: unknown): Promise<void> {
  if (!isObj(edu) || typeof edu["edu_type"] !== "string" || !isObj(edu["content"])) throw new Error("malformed EDU");
  const content = edu["content"];
  switch (edu["edu_type"]) {
    case "m.typing":
      return typing(s, origin, content);
    case "m.receipt":
      return receipts(s, origin, content);
    case "m.presence":
      return presence(s, origin, content);
    default: {
      // device lists, to-device and signing keys are registered by the e2ee wiring, per server
      const h = s.federation?.eduHandlers.get(edu["edu_type"]);
      if (h) await h(origin, content);
    }
  }
}

async function typing(s: ServerContext, origin: string, c: Obj): Promise<void> {
  const roomId = c["room_id"];
  const userId = c["user_id"];
  if (typeof roomId !== "string" || typeof userId !== "string" || serverNameOf(userId) !== origin) throw new Error("typing EDU for a user of another server");
  await checkAcl(s, roomId, origin);
  if ((await s.stores.rooms.membership(roomId, userId)) !== "join") throw new Error("typing user not in room");
  s.typing.set(roomId, userId, c["typing"] === true, 30_000);
}

const PRESENCE_STATES = new Set(["online", "offline", "unavailable"]);

/** Presence of the origin's users, kept like our own users' (GET /presence works for them). */
async function presence(s: ServerContext, origin: string, c: Obj): Promise<void> {
  const push = Array.isArray(c["push"]) ? c["push"] : [];
  for (const p of push) {
    if (!isObj(p) || typeof p["user_id"] !== "string" || serverNameOf(p["user_id"]) !== origin) continue;
    const state = typeof p["presence"] === "string" && PRESENCE_STATES.has(p["presence"]) ? p["presence"] : undefined;
    if (!state) continue;
    const ago = typeof p["last_active_ago"] === "number" && p["last_active_ago"] >= 0 ? p["last_active_ago"] : 0;
    const status = typeof p["status_msg"] === "string" ? p["status_msg"].slice(0, 1024) : undefined;
    await s.stores.users.setPresence(p["user_id"], state, status, s.clock.now() - ago);
    await notifyPresenceWatchers(s, p["user_id"]);
  }
}

async function receipts(s: ServerContext, origin: string, c: Obj): Promise<void> {
  for (const [roomId, byType] of Object.entries(c)) {
    if (!isObj(byType)) continue;
    await checkAcl(s, roomId, origin);
    for (const [receiptType, byUser] of Object.entries(byType)) {
      if (receiptType !== "m.read" || !isObj(byUser)) continue;
      for (const [userId, r] of Object.entries(byUser)) {
        if (serverNameOf(userId) !== origin || !isObj(r) || !Array.isArray(r["event_ids"])) continue;
        if ((await s.stores.rooms.membership(roomId, userId)) !== "join") continue;
        const eventId = r["event_ids"][0];
        const data = isObj(r["data"]) ? r["data"] : {};
        if (typeof eventId !== "string") continue;
        await s.stores.streams.putReceipt({ roomId, receiptType, userId, threadId: typeof data["thread_id"] === "string" ? data["thread_id"] : "", eventId, ts: typeof data["ts"] === "number" ? data["ts"] : s.clock.now() });
      }
    }
    const members = await s.stores.rooms.members(roomId, "join");
    s.notifier.notifyUsers(members.map((m) => m.userId));
  }
}
