// A folded calendar (protocol foldCalendar) → the occurrences that touch a range of days, in the
// agent's zone. Recurrence rules are interpreted by ical.js (RFC 5545 RRULE) on wall clocks in
// the event's own zone, then each occurrence is placed on the time line, so a weekly 18:00
// Europe/Paris meeting stays at 18:00 Paris across a DST change. EXDATE removes an occurrence,
// an override (RECURRENCE-ID) replaces it, wherever it was moved to.
// https://www.rfc-editor.org/rfc/rfc5545#section-3.8.5.3
import ICAL from "ical.js";
import { dateKey, isAllDay, type CalendarDate, type CalendarEvent, type OverrideEntry } from "./protocol.ts";
import { addDays, dayStart, daysBetween, instantOfValue, parseWall, wallString, weekdayOf } from "./zoned-time.ts";

export interface Occurrence {
  event: CalendarEvent;
  /** unique in a view: root event id + original start */
  key: string;
  /** original start of this occurrence in a series (RECURRENCE-ID); undefined for a single event */
  recurrenceId: CalendarDate | undefined;
  summary: string;
  location: string | null;
  description: string | null;
  allDay: boolean;
  /** instants (ms); for an all-day occurrence, the agent's local midnights */
  start: number;
  end: number;
  /** all-day only: first day and the day after the last (exclusive, as DTEND) */
  startDay?: string;
  endDay?: string;
  /** this occurrence was changed on its own (an override) */
  overridden: boolean;
  series: boolean;
}

export interface DayRange {
  /** first day "YYYYMMDD" in the agent's zone */
  from: string;
  /** day after the last (exclusive) */
  to: string;
  /** the agent's zone (m.tz) */
  tz: string;
}

/** Bounds per series: a rule like FREQ=MINUTELY must not freeze the page. */
export const MAX_STEPS = 20_000;
export const MAX_PER_EVENT = 500;

const instant = (d: CalendarDate): number => ("date" in d ? NaN : instantOfValue(d.tzid, d.value));

function icalTime(d: CalendarDate): InstanceType<typeof ICAL.Time> {
  const w = parseWall("date" in d ? d.date : d.value);
  return ICAL.Time.fromData({ year: w.year, month: w.month, day: w.day, hour: w.hour, minute: w.minute, second: w.second, isDate: "date" in d });
}

function fromIcal(t: InstanceType<typeof ICAL.Time>, like: CalendarDate): CalendarDate {
  const w = { year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second };
  const s = wallString(w);
  return "date" in like ? { date: s.slice(0, 8) } : { tzid: like.tzid, value: s };
}

/** Identity of an occurrence across zones: the instant for date-times, the day for dates. */
export function occurrenceId(d: CalendarDate): string {
  return "date" in d ? d.date : String(instant(d));
}

interface Until { kind: "instant"; ms: number }
interface UntilDay { kind: "day"; day: string }

/** Splits UNTIL off the rule: ical.js would compare a UTC UNTIL with floating wall clocks. */
function splitUntil(rrule: string, dtstart: CalendarDate): { rule: string; until: Until | UntilDay | undefined } {
  const parts = rrule.split(";");
  const u = parts.find((p) => p.startsWith("UNTIL="))?.slice(6);
  const rule = parts.filter((p) => !p.startsWith("UNTIL=")).join(";");
  if (u === undefined) return { rule, until: undefined };
  if (/^\d{8}$/.test(u)) return { rule, until: { kind: "day", day: u } };
  const m = /^(\d{8}T\d{6})(Z?)$/.exec(u);
  if (m === null) return { rule, until: { kind: "day", day: "00010101" } };
  const tz = m[2] === "Z" || "date" in dtstart ? "UTC" : dtstart.tzid;
  return { rule, until: { kind: "instant", ms: instantOfValue(tz, m[1] ?? "") } };
}

function pastUntil(d: CalendarDate, until: Until | UntilDay | undefined): boolean {
  if (until === undefined) return false;
  if (until.kind === "day") return dateKey(d).slice(0, 8) > until.day;
  return "date" in d ? dayStart("UTC", d.date) > until.ms : instant(d) > until.ms;
}

/** Days per step of a rule that is only FREQ=DAILY|WEEKLY with INTERVAL/COUNT (BYDAY = DTSTART's day at most). */
function fixedStep(rule: string, dtstart: CalendarDate): { days: number; count: number | undefined } | undefined {
  const parts = new Map(rule.split(";").map((p) => p.split("=") as [string, string]));
  const freq = parts.get("FREQ");
  if (freq !== "DAILY" && freq !== "WEEKLY") return undefined;
  for (const k of parts.keys()) {
    if (k === "FREQ" || k === "INTERVAL" || k === "COUNT" || k === "WKST") continue;
    const weekday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][weekdayOf(dateKey(dtstart).slice(0, 8))];
    if (k === "BYDAY" && freq === "WEEKLY" && parts.get("BYDAY") === weekday) continue;
    return undefined;
  }
  const interval = Number(parts.get("INTERVAL") ?? "1");
  const count = parts.has("COUNT") ? Number(parts.get("COUNT")) : undefined;
  if (!Number.isSafeInteger(interval) || interval < 1 || (count !== undefined && !(Number.isSafeInteger(count) && count >= 0))) return undefined;
  return { days: (freq === "DAILY" ? 1 : 7) * interval, count };
}

/**
 * Original starts of a series' occurrences from about `firstDay` (earlier ones may be included) up
 * to the wall-clock day `lastDay` (inclusive). Plain daily/weekly rules jump straight to the range
 * (no iteration from a DTSTART years ago); any other rule is iterated by ical.js.
 */
export function seriesStarts(ev: CalendarEvent, lastDay: string, firstDay = "00010101"): CalendarDate[] {
  const { series } = ev.calendar;
  if (series.rrule === undefined) return [series.dtstart];
  const { rule, until } = splitUntil(series.rrule, series.dtstart);
  const out: CalendarDate[] = [];
  const step = fixedStep(rule, series.dtstart);
  if (step !== undefined) {
    const startKey = dateKey(series.dtstart);
    const first = startKey.slice(0, 8);
    const skip = firstDay > first ? Math.floor(daysBetween(first, firstDay) / step.days) : 0;
    for (let i = skip; i < skip + MAX_STEPS && (step.count === undefined || i < step.count); i++) {
      const day = addDays(first, i * step.days);
      const d: CalendarDate = "date" in series.dtstart ? { date: day } : { tzid: series.dtstart.tzid, value: `${day}${startKey.slice(8)}` };
      if (day > lastDay || pastUntil(d, until)) break;
      out.push(d);
    }
    return out;
  }
  let recur: InstanceType<typeof ICAL.Recur>;
  try {
    recur = ICAL.Recur.fromString(rule);
  } catch {
    return [series.dtstart];
  }
  const it = recur.iterator(icalTime(series.dtstart));
  for (let i = 0; i < MAX_STEPS; i++) {
    const t = it.next();
    if (t === null || t === undefined) break;
    const d = fromIcal(t, series.dtstart);
    if (dateKey(d).slice(0, 8) > lastDay || pastUntil(d, until)) break;
    out.push(d);
  }
  return out;
}

function make(ev: CalendarEvent, rid: CalendarDate | undefined, span: { dtstart: CalendarDate; dtend: CalendarDate }, o: OverrideEntry | undefined, tz: string): Occurrence {
  const base = {
    event: ev,
    key: `${ev.id}|${rid === undefined ? "" : occurrenceId(rid)}`,
    recurrenceId: rid,
    summary: o?.summary ?? ev.summary,
    location: o?.location ?? ev.location,
    description: o?.description ?? ev.description,
    overridden: o !== undefined,
    series: ev.calendar.series.rrule !== undefined,
  };
  const { dtstart, dtend } = span;
  if (isAllDay(dtstart)) {
    const endDay = "date" in dtend && dtend.date > dtstart.date ? dtend.date : addDays(dtstart.date, 1);
    return { ...base, allDay: true, start: dayStart(tz, dtstart.date), end: dayStart(tz, endDay), startDay: dtstart.date, endDay };
  }
  const start = instant(dtstart);
  const end = "date" in dtend ? start : Math.max(start, instant(dtend));
  return { ...base, allDay: false, start, end };
}

function touches(o: Occurrence, from: number, to: number, range: DayRange): boolean {
  if (o.allDay) return (o.startDay ?? "") < range.to && (o.endDay ?? "") > range.from;
  return o.start < to && (o.end > from || (o.end === o.start && o.start >= from));
}

/** Every occurrence of the (non-cancelled) events that touches the range, by start then summary. */
export function expandOccurrences(events: Iterable<CalendarEvent>, range: DayRange): Occurrence[] {
  const from = dayStart(range.tz, range.from);
  const to = dayStart(range.tz, range.to);
  // Wall clocks of other zones are at most ±14 h away; long events started earlier still count.
  const lastDay = addDays(range.to, 2);
  const out: Occurrence[] = [];
  for (const ev of events) {
    if (ev.cancelled) continue;
    const { series, overrides } = ev.calendar;
    const isSeries = series.rrule !== undefined;
    // Cheap wall-clock pre-filter before any zone arithmetic: the event's length in wall days,
    // plus two days of margin for the zones (a room of thousands of past events stays cheap).
    const startDay = dateKey(series.dtstart).slice(0, 8);
    const firstDay = addDays(range.from, -(Math.max(0, daysBetween(startDay, dateKey(series.dtend).slice(0, 8))) + 2));
    if (!isSeries && (startDay < firstDay || startDay > lastDay)) continue;
    const span = spanLength(series.dtstart, series.dtend);
    const byRid = isSeries ? new Map(overrides.map((o) => [occurrenceId(o.recurrenceId), o])) : new Map<string, OverrideEntry>();
    const excluded = new Set((isSeries ? (series.exdate ?? []) : []).map(occurrenceId));
    let kept = 0;
    for (const rid of seriesStarts(ev, lastDay, firstDay)) {
      if (dateKey(rid).slice(0, 8) < firstDay) continue;
      if (kept >= MAX_PER_EVENT) break;
      const id = occurrenceId(rid);
      if (excluded.has(id) || byRid.has(id)) continue;
      const o = make(ev, isSeries ? rid : undefined, shift(rid, span), undefined, range.tz);
      if (!touches(o, from, to, range)) continue;
      out.push(o);
      kept += 1;
    }
    if (!isSeries) continue;
    for (const ov of overrides) {
      if (excluded.has(occurrenceId(ov.recurrenceId))) continue;
      const o = make(ev, ov.recurrenceId, ov, ov, range.tz);
      if (touches(o, from, to, range)) out.push(o);
    }
  }
  return out.sort((a, b) => a.start - b.start || Number(b.allDay) - Number(a.allDay) || (a.summary < b.summary ? -1 : a.summary > b.summary ? 1 : 0));
}

type Span = { days: number } | { ms: number };

function spanLength(dtstart: CalendarDate, dtend: CalendarDate): Span {
  if ("date" in dtstart) return { days: "date" in dtend ? Math.max(1, daysBetween(dtstart.date, dtend.date)) : 1 };
  return { ms: "date" in dtend ? 0 : Math.max(0, instant(dtend) - instant(dtstart)) };
}

/** The occurrence starting at `rid`, lasting as long as the series' first one (RFC 5545: exact duration). */
function shift(rid: CalendarDate, span: Span): { dtstart: CalendarDate; dtend: CalendarDate } {
  if ("date" in rid) return { dtstart: rid, dtend: { date: addDays(rid.date, "days" in span ? span.days : 1) } };
  const end = instant(rid) + ("ms" in span ? span.ms : 0);
  return { dtstart: rid, dtend: { tzid: "UTC", value: new Date(end).toISOString().replace(/[-:]/g, "").slice(0, 15) } };
}
