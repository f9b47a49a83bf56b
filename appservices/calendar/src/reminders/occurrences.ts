// The occurrences of a room calendar event that start in a time window, pure. The series' RRULE
// is expanded by ical.js on wall-clock (floating) times, so a weekly 18:00 Europe/Paris meeting
// stays at 18:00 local across DST changes; each wall time becomes an instant in its own zone.
// EXDATE removes an occurrence; an override (RECURRENCE-ID) moves it. All-day events are placed at
// ALL_DAY_HOUR in the binding's zone (as the tasks bot does for date-only due dates).
// https://www.rfc-editor.org/rfc/rfc5545#section-3.8.5.3
import ICAL from "ical.js";
import { instantOf, wallTimeFromIcal } from "../../../tasks/src/local-time.ts";
import { dateKey, type CalendarDate, type CalendarEventFields } from "../protocol.ts";

export const ALL_DAY_HOUR = 9;
/** Iterations of one series per expansion: bounds a MINUTELY rule or a daily series from 1990. */
export const MAX_ITERATIONS = 20_000;

export interface Occurrence {
  /** dateKey of the original start (the RECURRENCE-ID an RSVP or override names) */
  recurrenceKey: string;
  /** where it starts now (moved by an override, or the original) */
  start: CalendarDate;
  startAt: number;
}

/** The instant of a calendar date (all-day: ALL_DAY_HOUR in `defaultTzid`); undefined if unknown zone. */
export function instantOfDate(d: CalendarDate, defaultTzid: string): number | undefined {
  const wall = wallTimeFromIcal(dateKey(d));
  if (wall === undefined) return undefined;
  try {
    return "date" in d ? instantOf({ ...wall, hour: ALL_DAY_HOUR }, defaultTzid) : instantOf(wall, d.tzid);
  } catch {
    return undefined; // a zone Intl does not know: nothing to compute from
  }
}

function floating(key: string): InstanceType<typeof ICAL.Time> {
  const t = { year: Number(key.slice(0, 4)), month: Number(key.slice(4, 6)), day: Number(key.slice(6, 8)) };
  if (key.length === 8) return ICAL.Time.fromData({ ...t, isDate: true });
  return ICAL.Time.fromData({ ...t, hour: Number(key.slice(9, 11)), minute: Number(key.slice(11, 13)), second: Number(key.slice(13, 15)), isDate: false });
}

function keyOf(t: InstanceType<typeof ICAL.Time>, allDay: boolean): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  const day = `${p(t.year, 4)}${p(t.month)}${p(t.day)}`;
  return allDay ? day : `${day}T${p(t.hour)}${p(t.minute)}${p(t.second)}`;
}

/** Original starts of the series (wall-clock keys), ascending, until one starts after `to`. */
function seriesStarts(fields: CalendarEventFields, defaultTzid: string, to: number): string[] {
  const { dtstart, rrule } = fields.calendar.series;
  const first = dateKey(dtstart);
  if (rrule === undefined) return [first];
  const withZone = (key: string): CalendarDate => ("date" in dtstart ? { date: key } : { tzid: dtstart.tzid, value: key });
  let recur: InstanceType<typeof ICAL.Recur>;
  try {
    recur = ICAL.Recur.fromString(rrule);
  } catch {
    return [first];
  }
  const it = recur.iterator(floating(first));
  const out: string[] = [];
  for (let i = 0; i < MAX_ITERATIONS; i++) {
    const next = it.next();
    if (next === null || next === undefined) break;
    const key = keyOf(next, "date" in dtstart);
    const at = instantOfDate(withZone(key), defaultTzid);
    if (at !== undefined && at > to) break;
    out.push(key);
  }
  return out;
}

/** Occurrences starting in (from, to], cancelled ones (EXDATE) left out, moved ones where they are now. */
export function occurrencesIn(fields: CalendarEventFields, defaultTzid: string, from: number, to: number): Occurrence[] {
  const { series, overrides } = fields.calendar;
  const excluded = new Set((series.exdate ?? []).map(dateKey));
  const moved = new Map(overrides.map((o) => [dateKey(o.recurrenceId), o.dtstart]));
  const out: Occurrence[] = [];
  const consider = (recurrenceKey: string, start: CalendarDate): void => {
    const startAt = instantOfDate(start, defaultTzid);
    if (startAt !== undefined && startAt > from && startAt <= to) out.push({ recurrenceKey, start, startAt });
  };
  const asDate = (key: string): CalendarDate => ("date" in series.dtstart ? { date: key } : { tzid: series.dtstart.tzid, value: key });
  // An occurrence moved later than `to` from before it, or earlier from after it: overrides are
  // considered on their own, whatever the expansion window.
  for (const key of seriesStarts(fields, defaultTzid, to)) {
    if (excluded.has(key) || moved.has(key)) continue;
    consider(key, asDate(key));
  }
  for (const [key, start] of moved) if (!excluded.has(key)) consider(key, start);
  return out.sort((a, b) => a.startAt - b.startAt);
}
