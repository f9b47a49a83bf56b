// What the timeline's card shows for a calendar event root (`m.room.message` with msgtype
// `fr.entente.event`, docs/calendar-protocol.md): summary, when (in the agent's own `m.tz`),
// location, whether it has a video meeting, whether it was cancelled. `eventCardOf` reads a root
// alone; `currentCards` folds the loaded timeline with the protocol's `foldCalendar`, so a card
// shows the event as later `fr.entente.event.update` events left it (moved, renamed, cancelled).
import { parseEventRoot } from "../../../../appservices/protocol/src/calendar/calendar-root.ts";
import { foldCalendar, type CalendarEvent } from "../../../../appservices/protocol/src/calendar/calendar-fold.ts";
import { EVENT_MSGTYPE } from "../../../../appservices/protocol/src/calendar/calendar-event-types.ts";
import { parseRoomPowerLevels } from "../../../../appservices/protocol/src/power-levels.ts";
import type { CalendarDate } from "../../../../appservices/protocol/src/calendar/calendar-dates.ts";
import type { VideoMeeting } from "../../../../appservices/protocol/src/calendar/calendar-fields.ts";
import type { Locale } from "../i18n/translator.ts";

export interface EventCard {
  uid: string;
  summary: string;
  location: string | null;
  start: CalendarDate;
  end: CalendarDate;
  recurring: boolean;
  video: VideoMeeting | null;
  cancelled: boolean;
}

/** The card of an event root, or undefined when the content is not one we can read. */
export function eventCardOf(content: unknown): EventCard | undefined {
  const root = parseEventRoot(content);
  if (!root.ok) return undefined;
  const { summary, location, calendar, video } = root.value.fields;
  const series = calendar.series;
  return { uid: root.value.uid, summary, location, start: series.dtstart, end: series.dtend, recurring: series.rrule !== undefined, video, cancelled: false };
}

const cardOfFolded = (ev: CalendarEvent): EventCard => ({
  uid: ev.uid, summary: ev.summary, location: ev.location, start: ev.calendar.series.dtstart, end: ev.calendar.series.dtend,
  recurring: ev.calendar.series.rrule !== undefined, video: ev.video, cancelled: ev.cancelled,
});

const isRoot = (e: unknown): boolean => {
  const content = typeof e === "object" && e !== null ? (e as { content?: unknown }).content : undefined;
  return typeof content === "object" && content !== null && (content as Record<string, unknown>)["msgtype"] === EVENT_MSGTYPE;
};

/**
 * The current state of each calendar event of the loaded timeline, by UID: roots and their
 * updates folded with the room's power levels and the protocol's default calendar permissions
 * (any anchor: a room with two calendars folds them together; the earliest root of a UID wins).
 * Empty when the timeline holds no event root, without folding.
 */
export function currentCards(events: readonly unknown[], powerLevels: unknown): Map<string, EventCard> {
  const cards = new Map<string, EventCard>();
  if (!events.some(isRoot)) return cards;
  for (const ev of foldCalendar({ events, levels: parseRoomPowerLevels(powerLevels) }).events.values()) cards.set(ev.uid, cardOfFolded(ev));
  return cards;
}

const num = (s: string, a: number, b: number): number => Number(s.slice(a, b));

/** Offset (ms) of `timeZone` from UTC at instant `ts`. */
function offsetAt(ts: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(ts);
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - Math.floor(ts / 1000) * 1000;
}

/**
 * The instant of a wall-clock time ("YYYYMMDDTHHMMSS") in an IANA zone; undefined for a zone this
 * browser does not know. A time in a spring-forward gap reads with the offset before the gap
 * (RFC 5545 §3.3.5); a time repeated at fall-back reads as the later of the two (RFC: the earlier).
 */
export function wallClockToInstant(value: string, tzid: string): number | undefined {
  const naive = Date.UTC(num(value, 0, 4), num(value, 4, 6) - 1, num(value, 6, 8), num(value, 9, 11), num(value, 11, 13), num(value, 13, 15));
  try {
    const first = naive - offsetAt(naive, tzid);
    return naive - offsetAt(first, tzid);
  } catch {
    return undefined;
  }
}

const localeTag = (l: Locale): string => (l === "fr" ? "fr-FR" : "en-GB");

/** "mardi 1 décembre 2026, 18:00 – 20:00" in the agent's zone; all-day events as written. */
export function formatEventWhen(card: EventCard, locale: Locale, timeZone: string, allDayWord: string): string {
  const { start, end } = card;
  if ("date" in start) {
    const day = (d: string): string => new Intl.DateTimeFormat(localeTag(locale), { dateStyle: "full", timeZone: "UTC" }).format(Date.UTC(num(d, 0, 4), num(d, 4, 6) - 1, num(d, 6, 8)));
    const lastExclusive = "date" in end ? end.date : start.date;
    const last = new Date(Date.UTC(num(lastExclusive, 0, 4), num(lastExclusive, 4, 6) - 1, num(lastExclusive, 6, 8) - 1));
    const lastDate = `${last.getUTCFullYear()}${String(last.getUTCMonth() + 1).padStart(2, "0")}${String(last.getUTCDate()).padStart(2, "0")}`;
    return lastDate > start.date ? `${day(start.date)} – ${day(lastDate)}` : `${day(start.date)} (${allDayWord})`;
  }
  const from = wallClockToInstant(start.value, start.tzid);
  const to = "tzid" in end ? wallClockToInstant(end.value, end.tzid) : undefined;
  if (from === undefined) return `${start.value} (${start.tzid})`;
  let zone = timeZone;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
  } catch {
    zone = "Europe/Paris";
  }
  const full = new Intl.DateTimeFormat(localeTag(locale), { dateStyle: "full", timeStyle: "short", timeZone: zone });
  const time = new Intl.DateTimeFormat(localeTag(locale), { timeStyle: "short", timeZone: zone });
  const dayKey = new Intl.DateTimeFormat("en-CA", { dateStyle: "short", timeZone: zone });
  if (to === undefined) return full.format(from);
  const sameDay = dayKey.format(from) === dayKey.format(to);
  return `${full.format(from)} – ${sameDay ? time.format(to) : full.format(to)}`;
}

/** The timeline item's `calendarEvent` field: present only on calendar event roots. */
export function calendarEventField(content: Record<string, unknown>): { calendarEvent?: EventCard } {
  if (content["msgtype"] !== "fr.entente.event") return {};
  const card = eventCardOf(content);
  return card === undefined ? {} : { calendarEvent: card };
}
