// The occurrences of a room calendar event that start in a time window, pure. The series' RRULE
// is expanded by ical.js on wall-clock (floating) times, so a weekly 18:00 Europe/Paris meeting
// stays at 18:00 local across DST changes; each wall time becomes an instant in its own zone.
// EXDATE removes an occurrence; an override (RECURRENCE-ID) moves it. All-day events are placed at
// ALL_DAY_HOUR in the binding's zone (as the tasks bot does for date-only due dates).
// https://www.rfc-editor.org/rfc/rfc5545#section-3.8.5.3
import ICAL from "ical.js";
import { instantOf, wallTimeAt, wallTimeFromIcal } from "../../../tasks/src/local-time.ts";
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

/** The wall-clock key (same shape as `like`) of instant `ms` in `tz`, or undefined for an unknown zone. */
function wallKey(ms: number, tz: string, allDay: boolean): string | undefined {
  try {
    const w = wallTimeAt(ms, tz);
    const p = (n: number, width = 2): string => String(n).padStart(width, "0");
    const day = `${p(w.year, 4)}${p(w.month)}${p(w.day)}`;
    return allDay ? day : `${day}T${p(w.hour)}${p(w.minute)}${p(w.second)}`;
  } catch {
    return undefined;
  }
}

/**
 * Original starts of the series (wall-clock keys) that may start in (from, to], ascending. Keys
 * are compared as wall-clock strings against the window widened by two days (no zone is more than
 * a day off), so only the few candidates near the window are turned into instants by the caller:
 * Intl look-ups are the expensive part of a reminder check (tests/bench/calendar-reminders.ts).
 */
const bounds = new Map<string, { lo: string; hi: string } | undefined>();

/** The widened window as wall-clock keys in `tz`; cached (a check asks the same for every event). */
function windowKeys(tz: string, allDay: boolean, from: number, to: number): { lo: string; hi: string } | undefined {
  const k = `${tz}|${allDay}|${from}|${to}`;
  if (bounds.has(k)) return bounds.get(k);
  if (bounds.size > 256) bounds.clear();
  const lo = wallKey(from - 2 * 86_400_000, tz, allDay);
  const hi = wallKey(to + 2 * 86_400_000, tz, allDay);
  const w = lo === undefined || hi === undefined ? undefined : { lo, hi };
  bounds.set(k, w);
  return w;
}

function seriesStarts(fields: CalendarEventFields, defaultTzid: string, from: number, to: number): string[] {
  const { dtstart, rrule } = fields.calendar.series;
  const first = dateKey(dtstart);
  const allDay = "date" in dtstart;
  const w = windowKeys("tzid" in dtstart ? dtstart.tzid : defaultTzid, allDay, from, to);
  if (w === undefined) return [];
  const { lo, hi } = w;
  if (rrule === undefined) return first >= lo && first <= hi ? [first] : [];
  const k = `${rrule}|${first}|${"tzid" in dtstart ? dtstart.tzid : ""}`;
  let e = expansions.get(k);
  if (e === undefined || lo < e.lo) {
    let recur: InstanceType<typeof ICAL.Recur>;
    try {
      recur = ICAL.Recur.fromString(rrule);
    } catch {
      return [first];
    }
    if (expansions.size > 50_000) expansions.clear();
    e = { it: recur.iterator(floating(first)), keys: [], lo, exhausted: false };
    expansions.set(k, e);
  }
  e.keys = e.keys.filter((x) => x >= lo);
  e.lo = lo;
  for (let i = 0; i < MAX_ITERATIONS && !e.exhausted && !((e.keys.at(-1) ?? "") > hi); i++) {
    const next = e.it.next();
    if (next === null || next === undefined) e.exhausted = true;
    else {
      const key = keyOf(next, allDay);
      if (key >= lo) e.keys.push(key);
    }
  }
  return e.keys.filter((x) => x <= hi);
}

/**
 * Where each series' expansion got to: the reminder check runs every 30 s with a window that only
 * moves forward, so the iterator resumes instead of walking the series from its first occurrence
 * again (a year-old weekly series: 52 steps per check otherwise). A window moving back (an
 * injected clock) starts it again.
 */
interface Expansion {
  it: InstanceType<typeof ICAL.RecurIterator>;
  /** keys yielded from `lo` on, ascending (the last one may lie beyond the last window) */
  keys: string[];
  lo: string;
  exhausted: boolean;
}
const expansions = new Map<string, Expansion>();

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
  for (const key of seriesStarts(fields, defaultTzid, from, to)) {
    if (excluded.has(key) || moved.has(key)) continue;
    consider(key, asDate(key));
  }
  for (const [key, start] of moved) if (!excluded.has(key)) consider(key, start);
  return out.sort((a, b) => a.startAt - b.startAt);
}
