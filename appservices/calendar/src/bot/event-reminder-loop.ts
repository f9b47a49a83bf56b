// Sends the event reminders that are due: a notice in the event's thread mentioning its Matrix
// attendees (those who declined that occurrence left out) with the record that makes it known as
// sent to the next start (event-reminders.ts).
import type { BotContext } from "../../../kit/src/start-bot.ts";
import { eventRemindersDue, EVENT_REMINDER_KEY, reminderSentKey, type PlannedEventReminder } from "../reminders/event-reminders.ts";
import { eventReminderText } from "../reminders/reminder-text.ts";
import { rsvpOf, type CalendarEvent } from "../protocol.ts";
import type { Bound } from "./bound.ts";

export interface ReminderLoopDeps {
  ctx: BotContext;
  bound: Iterable<Bound>;
  now: () => number;
  defaultMinutes: readonly number[];
}

function mentionsFor(ev: CalendarEvent, r: PlannedEventReminder, botUserId: string): string[] {
  const ids = new Set([...(ev.organizer?.startsWith("@") === true ? [ev.organizer] : []), ...ev.attendees.map((a) => a.id).filter((id) => id.startsWith("@"))]);
  ids.delete(botUserId);
  return [...ids].filter((u) => rsvpOf(ev, u, r.recurrenceId) !== "declined");
}

/** One pass over every bound calendar; a failed send is logged and retried on the next pass. */
export async function sendDueEventReminders(d: ReminderLoopDeps): Promise<number> {
  let sent = 0;
  for (const b of d.bound) {
    const events = b.side.fold().events;
    const remindable = [...events.values()].map((ev) => ({ rootId: ev.id, cancelled: ev.cancelled, fields: ev }));
    for (const r of eventRemindersDue(remindable, b.side.sentReminders, d.now(), b.binding.defaultTzid, d.defaultMinutes)) {
      const ev = events.get(r.rootId);
      if (ev === undefined) continue;
      const key = reminderSentKey(r.rootId, r.occurrence, r.minutes);
      b.side.sentReminders.add(key);
      const mentions = mentionsFor(ev, r, d.ctx.botUserId);
      try {
        await d.ctx.reply(b.roomId, { eventId: r.rootId }, eventReminderText({ summary: ev.summary, start: r.start, startAt: r.startAt, minutes: r.minutes, defaultTzid: b.binding.defaultTzid, mentions }), mentions,
          { [EVENT_REMINDER_KEY]: { event: r.rootId, occurrence: r.occurrence, minutes: r.minutes } });
        sent++;
        d.ctx.log("info", "event reminder sent", { room_id: b.roomId, event: r.rootId, occurrence: r.occurrence, minutes: r.minutes, at: new Date(r.at).toISOString() });
      } catch (e) {
        b.side.sentReminders.delete(key);
        d.ctx.log("error", "event reminder failed", { room_id: b.roomId, event: r.rootId, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }
  return sent;
}
