// A room's member events as a bot reads them (GET /rooms/{roomId}/members): each user's
// membership and display name, for the bots' invitations and for naming people in answers.
import type { BotContext } from "./start-bot.ts";

export interface RoomMember {
  membership: string;
  displayName: string | undefined;
}

export async function roomMembers(ctx: Pick<BotContext, "api">, roomId: string): Promise<Map<string, RoomMember>> {
  const res = await ctx.api("GET", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/members`);
  const out = new Map<string, RoomMember>();
  for (const e of Array.isArray(res["chunk"]) ? (res["chunk"] as unknown[]) : []) {
    if (typeof e !== "object" || e === null) continue;
    const { state_key: userId, content } = e as { state_key?: unknown; content?: unknown };
    const c = typeof content === "object" && content !== null ? (content as Record<string, unknown>) : {};
    const membership = c["membership"];
    if (typeof userId !== "string" || typeof membership !== "string") continue;
    out.set(userId, { membership, displayName: typeof c["displayname"] === "string" ? c["displayname"] : undefined });
  }
  return out;
}
