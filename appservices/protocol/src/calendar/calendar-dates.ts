// The calendar array of an event, in the shape Nordeck's meetings bot uses: the first entry is the
// series (dtstart, dtend, optional rrule and exdate), further entries are overrides of one
// occurrence, named by recurrenceId (RFC 5545 RECURRENCE-ID). Dates are the two RFC 5545 shapes
// `{tzid, value}` / `{date}` (dates.ts): wall-clock time plus zone, never a UTC instant, so a weekly
// 18:00 meeting stays at 18:00 local across DST changes.
// https://www.rfc-editor.org/rfc/rfc5545#section-3.8.4.4 (RECURRENCE-ID), #section-3.8.5.3 (RRULE)
import { parseTaskDate, type TaskDate } from "../dates.ts";
import { fail, isObject, ok, parseArray, parseString, type JsonObject, type Parsed } from "../parse.ts";

export type CalendarDate = TaskDate;

export interface SeriesEntry {
  dtstart: CalendarDate;
  dtend: CalendarDate;
  /** RFC 5545 RRULE value without the "RRULE:" prefix, e.g. "FREQ=WEEKLY;BYDAY=TU" */
  rrule?: string;
  exdate?: CalendarDate[];
}

export interface OverrideEntry {
  recurrenceId: CalendarDate;
  dtstart: CalendarDate;
  dtend: CalendarDate;
  summary?: string;
  location?: string;
  description?: string;
}

export const CALENDAR_LIMITS = { overrides: 500, exdates: 1000, rrule: 500, text: 1000, description: 20000 } as const;

// A syntactic check only (NAME=VALUE pairs with FREQ); ical.js interprets it.
const RRULE = /^(?=.*(?:^|;)FREQ=(?:SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)(?:;|$))[A-Z]+=[A-Za-z0-9,:+-]+(?:;[A-Z]+=[A-Za-z0-9,:+-]+)*$/;

export const isAllDay = (d: CalendarDate): d is { date: string } => "date" in d;

/** Sort key of a wall-clock date: comparable within one zone ("20261201T180000" / "20261201"). */
export const dateKey = (d: CalendarDate): string => ("date" in d ? d.date : d.value);

function sameKind(a: CalendarDate, b: CalendarDate): boolean {
  return isAllDay(a) === isAllDay(b);
}

function parseSpan(v: JsonObject, what: string): Parsed<{ dtstart: CalendarDate; dtend: CalendarDate }> {
  const dtstart = parseTaskDate(v["dtstart"], `${what}.dtstart`);
  if (!dtstart.ok) return dtstart;
  const dtend = parseTaskDate(v["dtend"], `${what}.dtend`);
  if (!dtend.ok) return dtend;
  if (!sameKind(dtstart.value, dtend.value)) return fail(`${what}: dtstart and dtend must both be dates or both date-times`);
  // Same zone: compare wall clocks; different zones: the reader converts, no check here.
  const sameZone = isAllDay(dtstart.value) || ("tzid" in dtend.value && "tzid" in dtstart.value && dtend.value.tzid === dtstart.value.tzid);
  if (sameZone && dateKey(dtend.value) < dateKey(dtstart.value)) return fail(`${what}: dtend is before dtstart`);
  return ok({ dtstart: dtstart.value, dtend: dtend.value });
}

function parseSeries(v: unknown, what: string): Parsed<SeriesEntry> {
  if (!isObject(v)) return fail(`${what} must be an object`);
  if (v["recurrenceId"] !== undefined) return fail(`${what}: the first entry is the series and has no recurrenceId`);
  const span = parseSpan(v, what);
  if (!span.ok) return span;
  const entry: SeriesEntry = { ...span.value };
  if (v["rrule"] !== undefined) {
    const r = parseString(v["rrule"], `${what}.rrule`, CALENDAR_LIMITS.rrule);
    if (!r.ok) return r;
    if (!RRULE.test(r.value)) return fail(`${what}.rrule is not an RFC 5545 recurrence rule`);
    entry.rrule = r.value;
  }
  if (v["exdate"] !== undefined) {
    const ex = parseArray(v["exdate"], `${what}.exdate`, CALENDAR_LIMITS.exdates, parseTaskDate);
    if (!ex.ok) return ex;
    if (ex.value.length > 0) entry.exdate = ex.value;
  }
  return ok(entry);
}

function parseOverride(v: unknown, what: string): Parsed<OverrideEntry> {
  if (!isObject(v)) return fail(`${what} must be an object`);
  const rid = parseTaskDate(v["recurrenceId"], `${what}.recurrenceId`);
  if (!rid.ok) return rid;
  const span = parseSpan(v, what);
  if (!span.ok) return span;
  const entry: OverrideEntry = { recurrenceId: rid.value, ...span.value };
  for (const key of ["summary", "location", "description"] as const) {
    if (v[key] === undefined) continue;
    const max = key === "description" ? CALENDAR_LIMITS.description : CALENDAR_LIMITS.text;
    const s = parseString(v[key], `${what}.${key}`, max, true);
    if (!s.ok) return s;
    entry[key] = s.value;
  }
  return ok(entry);
}

export interface CalendarEntries {
  series: SeriesEntry;
  overrides: OverrideEntry[];
}

export function parseCalendarEntries(value: unknown, what: string): Parsed<CalendarEntries> {
  if (!Array.isArray(value) || value.length === 0) return fail(`${what} must be a non-empty array`);
  if (value.length > CALENDAR_LIMITS.overrides + 1) return fail(`${what} has more than ${CALENDAR_LIMITS.overrides} overrides`);
  const series = parseSeries(value[0], `${what}[0]`);
  if (!series.ok) return series;
  const overrides: OverrideEntry[] = [];
  const seen = new Set<string>();
  for (let i = 1; i < value.length; i++) {
    const o = parseOverride(value[i], `${what}[${i}]`);
    if (!o.ok) return o;
    const key = dateKey(o.value.recurrenceId);
    if (seen.has(key)) return fail(`${what}[${i}]: two overrides of the same occurrence`);
    seen.add(key);
    overrides.push(o.value);
  }
  return ok({ series: series.value, overrides });
}

export function calendarEntriesToWire(entries: CalendarEntries): JsonObject[] {
  const series: JsonObject = { dtstart: { ...entries.series.dtstart }, dtend: { ...entries.series.dtend } };
  if (entries.series.rrule !== undefined) series["rrule"] = entries.series.rrule;
  if (entries.series.exdate !== undefined) series["exdate"] = entries.series.exdate.map((d) => ({ ...d }));
  return [series, ...entries.overrides.map((o) => ({ ...o, recurrenceId: { ...o.recurrenceId }, dtstart: { ...o.dtstart }, dtend: { ...o.dtend } }))];
}
