// Which event reminders are due, pure. Each occurrence of an event is reminded `reminders`
// minutes before it starts (the event's field; DEFAULT_REMINDER_MINUTES when it sets none), in the
// occurrence's own zone. What was already sent is known from the room: each reminder is a notice
// in the event's thread carrying `fr.entente.event.reminder` {event, occurrence, minutes}, and the
// occurrence key is where it starts now, so moving an occurrence arms its reminders again.
import { dateKey, type CalendarDate, type CalendarEventFields } from "../protocol.ts";
import { occurrencesIn } from "./occurrences.ts";

export const DEFAULT_REMINDER_MINUTES = 15;
/** Content key of a reminder notice (our own record, inside the encrypted content). */
export const EVENT_REMINDER_KEY = "fr.entente.event.reminder";
/** Longest reminder the protocol allows (calendar-fields.ts: 40,320 min = 28 days), plus a day. */
const LOOKAHEAD_MS = 29 * 86_400_000;

export interface RemindableEvent {
  rootId: string;
  cancelled: boolean;
  fields: CalendarEventFields;
}

export interface PlannedEventReminder {
  rootId: string;
  /** "<start key>/<tzid or date>": where the occurrence starts now */
  occurrence: string;
  minutes: number;
  /** the occurrence's original start (its RECURRENCE-ID); the series' first start for a single event */
  recurrenceId: CalendarDate;
  start: CalendarDate;
  at: number;
  startAt: number;
}

const occurrenceId = (d: CalendarDate): string => ("date" in d ? `${d.date}/date` : `${dateKey(d)}/${d.tzid}`);
export const reminderSentKey = (rootId: string, occurrence: string, minutes: number): string => `${rootId} ${occurrence} ${minutes}`;

/** Reminders of the occurrences starting in (from, to]. */
function planned(ev: RemindableEvent, defaultTzid: string, defaultMinutes: readonly number[], from: number, to: number): PlannedEventReminder[] {
  if (ev.cancelled) return [];
  const minutes = ev.fields.reminders.length > 0 ? ev.fields.reminders : defaultMinutes;
  if (minutes.length === 0) return [];
  const out: PlannedEventReminder[] = [];
  const first = ev.fields.calendar.series.dtstart;
  for (const o of occurrencesIn(ev.fields, defaultTzid, from, to)) {
    const recurrenceId: CalendarDate = "date" in first ? { date: o.recurrenceKey } : { tzid: first.tzid, value: o.recurrenceKey };
    for (const m of new Set(minutes)) out.push({ rootId: ev.rootId, occurrence: occurrenceId(o.start), minutes: m, recurrenceId, start: o.start, at: o.startAt - m * 60_000, startAt: o.startAt });
  }
  return out;
}

/**
 * The reminders to send now: their time has come, the occurrence has not started, and they were
 * not sent — a bot that was down at the reminder's time still sends it late, never after the start.
 */
export function eventRemindersDue(events: Iterable<RemindableEvent>, sent: ReadonlySet<string>, now: number, defaultTzid: string, defaultMinutes: readonly number[] = [DEFAULT_REMINDER_MINUTES]): PlannedEventReminder[] {
  const out: PlannedEventReminder[] = [];
  for (const ev of events) {
    for (const r of planned(ev, defaultTzid, defaultMinutes, now, now + LOOKAHEAD_MS)) {
      if (r.at <= now && !sent.has(reminderSentKey(r.rootId, r.occurrence, r.minutes))) out.push(r);
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** The earliest reminder time after `now` (to arm a timer), within the look-ahead. */
export function nextEventReminderAt(events: Iterable<RemindableEvent>, now: number, defaultTzid: string, defaultMinutes: readonly number[] = [DEFAULT_REMINDER_MINUTES]): number | undefined {
  let next: number | undefined;
  for (const ev of events) {
    for (const r of planned(ev, defaultTzid, defaultMinutes, now, now + 2 * LOOKAHEAD_MS)) if (r.at > now && (next === undefined || r.at < next)) next = r.at;
  }
  return next;
}

/** The {event, occurrence, minutes} a reminder notice records, if the content is one. */
export function parseEventReminderRecord(content: Record<string, unknown>): string | undefined {
  const r = content[EVENT_REMINDER_KEY];
  if (typeof r !== "object" || r === null) return undefined;
  const { event, occurrence, minutes } = r as Record<string, unknown>;
  return typeof event === "string" && typeof occurrence === "string" && typeof minutes === "number" ? reminderSentKey(event, occurrence, minutes) : undefined;
}
