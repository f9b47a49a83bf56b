// Invitations are Matrix-native: attendees who are Matrix users and not in the room are invited
// to it (when the bot has the room's invite level and so has whoever added them — root or update
// sender, or the bot's own CalDAV import; otherwise the notice says a moderator must),
// and a notice in the event's thread mentions the attendees the root did not already mention
// (added by an update, or imported from CalDAV before they joined). The notice carries
// `fr.entente.event.invitation` {event, users}: read back at start, so nobody is invited twice.
import type { BotContext } from "../../../kit/src/start-bot.ts";
import { roomMembers } from "../../../kit/src/room-members.ts";
import type { CalendarEvent } from "../protocol.ts";
import type { Bound } from "./bound.ts";
import { EVENT_INVITATION_KEY, invitedKey } from "./thread-records.ts";

const enc = encodeURIComponent;

async function memberships(ctx: BotContext, roomId: string): Promise<Map<string, string>> {
  return new Map([...await roomMembers(ctx, roomId)].map(([userId, m]) => [userId, m.membership]));
}

function mentionedByRoot(b: Bound, rootId: string): Set<string> {
  const m = b.side.events.get(rootId)?.content["m.mentions"];
  const ids = typeof m === "object" && m !== null ? (m as Record<string, unknown>)["user_ids"] : undefined;
  return new Set(Array.isArray(ids) ? ids.filter((x): x is string => typeof x === "string") : []);
}

export function invitationText(summary: string, o: { mention: readonly string[]; invited: readonly string[]; refused: readonly string[]; inviteLevel: number }): string {
  const parts = [`📨 Invitation : « ${summary} »${o.mention.length > 0 ? ` — ${o.mention.join(", ")}` : ""}. Répondez depuis l'agenda du salon.`];
  if (o.invited.length > 0) parts.push(`Invitation au salon envoyée à ${o.invited.join(", ")}.`);
  if (o.refused.length > 0) parts.push(`Je ne peux pas inviter ${o.refused.join(", ")} dans le salon (il faut le niveau ${o.inviteLevel}) : un modérateur doit le faire.`);
  parts.push(`(Invitation to "${summary}"${o.refused.length > 0 ? `; I cannot invite ${o.refused.join(", ")} to the room` : ""}.)`);
  return parts.join(" ");
}

export async function inviteAttendees(ctx: BotContext, b: Bound, ev: CalendarEvent, members: () => Promise<Map<string, string>>): Promise<void> {
  const pending = [...new Set(ev.attendees.map((a) => a.id))].filter((id) => id.startsWith("@") && id !== ctx.botUserId && !b.side.invited.has(invitedKey(ev.id, id)));
  if (pending.length === 0) return;
  const room = await members();
  const inviteLevel = typeof b.side.powerContent["invite"] === "number" ? b.side.powerContent["invite"] : 0;
  const canInvite = b.side.levelOf(ctx.botUserId) >= inviteLevel;
  // Only attendees added by someone who may invite (or by the bot itself: CalDAV imports of a
  // binding the room's admins set up): the bot must not invite for a member who may not (review R12).
  const mayAdd = (userId: string): boolean => {
    const adder = ev.attendeesAddedBy?.[userId];
    return adder !== undefined && (adder === ctx.botUserId || b.side.levelOf(adder) >= inviteLevel);
  };
  const invited: string[] = [];
  const refused: string[] = [];
  for (const userId of pending) {
    const m = room.get(userId);
    if (m === "join" || m === "invite") continue;
    if (!canInvite || m === "ban" || !mayAdd(userId)) {
      refused.push(userId);
      continue;
    }
    try {
      await ctx.api("POST", `/_matrix/client/v3/rooms/${enc(b.roomId)}/invite`, { user_id: userId, reason: `Invitation : ${ev.summary}` });
      room.set(userId, "invite");
      invited.push(userId);
    } catch (e) {
      ctx.log("warn", "attendee invite failed", { room_id: b.roomId, user_id: userId, error: e instanceof Error ? e.message : String(e) });
      refused.push(userId);
    }
  }
  const rootMentions = mentionedByRoot(b, ev.id);
  const mention = pending.filter((u) => !rootMentions.has(u));
  for (const u of pending) b.side.invited.add(invitedKey(ev.id, u));
  if (mention.length === 0 && invited.length === 0 && refused.length === 0) return;
  await ctx.reply(b.roomId, { eventId: ev.id }, invitationText(ev.summary, { mention, invited, refused, inviteLevel }), mention, { [EVENT_INVITATION_KEY]: { event: ev.id, users: pending } });
  ctx.log("info", "attendees invited", { room_id: b.roomId, event: ev.id, invited: invited.length, refused: refused.length, mentioned: mention.length });
}

/** A lazy, shared member list for one follow-up run. */
export function memberLister(ctx: BotContext, roomId: string): () => Promise<Map<string, string>> {
  let p: Promise<Map<string, string>> | undefined;
  return () => (p ??= memberships(ctx, roomId));
}
