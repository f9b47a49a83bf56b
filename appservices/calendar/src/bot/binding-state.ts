// Writes a binding back to its fr.entente.calendar state (the ICS feed switch, the error field),
// and keeps the bot's copy in step: the bot does not receive its own state events.
import type { BotContext } from "../../../kit/src/start-bot.ts";
import { buildCalendarBinding, CALENDAR_STATE, type CalendarBinding } from "../protocol.ts";
import type { Bound } from "./bound.ts";

const queues = new Map<string, Promise<unknown>>();

/**
 * Binding state writes of one room, one at a time: a failing pass writing its error and a command
 * rebinding the calendar must not overtake each other (a stale write would put back the old
 * collection).
 */
export function serialised<T>(roomId: string, write: () => Promise<T>): Promise<T> {
  const next = (queues.get(roomId) ?? Promise.resolve()).catch(() => undefined).then(write);
  queues.set(roomId, next.catch(() => undefined));
  return next;
}

/** Writes the binding unless a newer load of the room replaced `b` (retired). */
export async function writeBinding(ctx: BotContext, b: Bound, next: CalendarBinding): Promise<void> {
  await serialised(b.roomId, async () => {
    if (b.retired === true) return;
    const { version: _v, id, ...rest } = next;
    await ctx.api("PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(b.roomId)}/state/${CALENDAR_STATE}/${encodeURIComponent(id)}`, buildCalendarBinding(rest));
    b.binding = next;
  });
}

export function withoutError(binding: CalendarBinding): CalendarBinding {
  const { error: _e, ...rest } = binding;
  return rest;
}
