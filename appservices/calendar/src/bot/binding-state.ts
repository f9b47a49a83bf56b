// Writes a binding back to its fr.entente.calendar state (the ICS feed switch, the error field),
// and keeps the bot's copy in step: the bot does not receive its own state events.
import type { BotContext } from "../../../kit/src/start-bot.ts";
import { buildCalendarBinding, CALENDAR_STATE, type CalendarBinding } from "../protocol.ts";
import type { Bound } from "./bound.ts";

export async function writeBinding(ctx: BotContext, b: Bound, next: CalendarBinding): Promise<void> {
  const { version: _v, id, ...rest } = next;
  await ctx.api("PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(b.roomId)}/state/${CALENDAR_STATE}/${encodeURIComponent(id)}`, buildCalendarBinding(rest));
  b.binding = next;
}

export function withoutError(binding: CalendarBinding): CalendarBinding {
  const { error: _e, ...rest } = binding;
  return rest;
}
